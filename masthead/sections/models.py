from django.db import models
from django.db.models import F, Window
from django.db.models.functions import RowNumber, Substr
from django.http import Http404
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from masthead.articles.models import ArticlePage, TopStoriesPage, attach_sections, cards
from masthead.caching.parts import rendered_part
from masthead.caching.store import record
from masthead.core.models import SocialFields, ViewRestrictionsFromCache
from masthead.core.pagination import paginate
from masthead.core.permissions import OwnPagesPermissionTester
from masthead.jobs.models import boards_below
from masthead.navigation.models import MenuFields

HOME_LATEST_COUNT = 8
HOME_SECTION_COUNT = 4


class HomePage(ViewRestrictionsFromCache, SocialFields, Page):
    intro = models.TextField(blank=True, max_length=600, help_text="Shown to search engines.")

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    promote_panels = [*Page.promote_panels, *SocialFields.social_panels]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "sections.SectionPage",
        "articles.TopStoriesPage",
        "pages.StandardPage",
        "pages.ContactPage",
        "pages.AdvertisePage",
        "navigation.LinkPage",
        "jobs.VacancyBoard",
        "jobs.ScholarshipBoard",
    ]
    max_count = 1

    class Meta:
        verbose_name = "home page"

    def route(self, request, path_components):
        """Find the page at a path in two queries, instead of Wagtail's two for each level.

        Pages along the path that route on their own (such as routable pages) still do so.
        """
        if not path_components:
            return super().route(request, path_components)
        candidates = Page.objects.filter(
            path__startswith=self.path,
            depth__gt=self.depth,
            depth__lte=self.depth + len(path_components),
            slug__in=path_components,
        ).only("id", "path", "depth", "slug", "live", "content_type_id")
        by_parent_and_slug = {(page.path[: -self.steplen], page.slug): page for page in candidates}
        page, remaining = self, list(path_components)
        while remaining:
            child = by_parent_and_slug.get((page.path, remaining[0]))
            if child is None:
                break
            page, remaining = child, remaining[1:]
            if remaining and child.specific_class.route is not Page.route:
                break
        if page is self:
            raise Http404
        return page.specific.route(request, remaining)

    def section_blocks(self, exclude_ids):
        """Each top-level section with its newest articles, in a fixed number of queries."""
        sections = list(
            SectionPage.objects.child_of(self).live().filter(show_on_home=True).order_by("path")
        )
        prefix_length = len(self.path) + self.steplen
        top_section_path = Substr("path", 1, prefix_length)
        # Rank over narrow rows first; only the few winners are fetched as cards.
        ranked = (
            ArticlePage.objects.published()
            .filter(path__startswith=self.path)
            .exclude(pk__in=exclude_ids)
            .annotate(
                top_section_path=top_section_path,
                rank=Window(
                    RowNumber(),
                    partition_by=top_section_path,
                    order_by=[F("date").desc(), F("pk").desc()],
                ),
            )
            .filter(rank__lte=HOME_SECTION_COUNT)
            .values_list("pk", "top_section_path")
        )
        section_of = dict(ranked)
        by_section = {}
        winners = ArticlePage.objects.filter(pk__in=section_of).order_by("-date", "-pk")
        for article in cards(winners):
            by_section.setdefault(section_of[article.pk], []).append(article)
        blocks = []
        for section in sections:
            articles = by_section.get(section.path)
            if articles:
                blocks.append((section, articles))
        return blocks

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["content"] = rendered_part(
            request, f"home:{self.pk}", "sections/front_page.html", self.content_context
        )
        return context

    def content_context(self):
        """The front page: the lead and top stories, the latest news and a block per section."""
        record(f"url:{self.pk}", f"children:{self.pk}")
        top_stories_page = TopStoriesPage.objects.child_of(self).live().first()
        if top_stories_page:
            record(f"page:{top_stories_page.pk}")
        stories = top_stories_page.public_stories() if top_stories_page else []
        shown = [story.pk for story in stories]
        latest = cards(
            ArticlePage.objects.published()
            .exclude(pk__in=shown)
            .order_by("-date", "-pk")[:HOME_LATEST_COUNT]
        )
        shown += [article.pk for article in latest]
        return {
            "top_stories_page": top_stories_page,
            "lead_story": stories[0] if stories else (latest.pop(0) if latest else None),
            "top_stories": stories[1:],
            "latest": latest,
            "section_blocks": self.section_blocks(shown),
        }


class SectionPage(ViewRestrictionsFromCache, SocialFields, MenuFields, Page):
    """A section of the paper; lists its own and its subsections' articles, newest first."""

    intro = models.TextField(blank=True, max_length=600)
    show_on_home = models.BooleanField(
        default=True,
        help_text="Top-level sections only: give this section a block on the home page.",
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    promote_panels = [
        *Page.promote_panels,
        *MenuFields.menu_panels,
        FieldPanel("show_on_home"),
        *SocialFields.social_panels,
    ]
    parent_page_types = ["sections.HomePage", "sections.SectionPage"]
    subpage_types = [
        "sections.SectionPage",
        "articles.ArticlePage",
        "navigation.LinkPage",
        "jobs.VacancyBoard",
        "jobs.ScholarshipBoard",
    ]

    class Meta:
        verbose_name = "section"

    def permissions_for_user(self, user):
        return OwnPagesPermissionTester(user, self)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        number = request.GET.get("page", "1")
        context["content"] = rendered_part(
            request,
            f"section:{self.pk}:{number}",
            "sections/section.html",
            lambda: self.content_context(request),
        )
        context["page_number"] = int(number)  # a number that is no page is a 404 by now
        return context

    def content_context(self, request):
        articles = paginate(
            request,
            ArticlePage.objects.published()
            .descendant_of(self)
            .order_by("-date", "-pk")
            .for_cards(),
        )
        articles.object_list = attach_sections(articles.object_list)
        # Lists, not querysets: the template tests them ({% if subsections %}) before it
        # loops over them.
        subsections = list(SectionPage.objects.child_of(self).live().in_menu())
        breadcrumbs = list(self.get_ancestors().filter(depth__gt=2))
        record(
            f"url:{self.pk}",
            f"children:{self.pk}",
            *(f"page:{section.pk}" for section in subsections + breadcrumbs),
        )
        return {
            "page": self,
            "articles": articles,
            "subsections": subsections,
            "breadcrumbs": breadcrumbs,
            "boards": boards_below(self),
        }

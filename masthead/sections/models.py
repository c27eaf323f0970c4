from django.db import models
from django.http import Http404
from django.utils.safestring import mark_safe
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from masthead.articles.models import ArticlePage, attach_sections
from masthead.caching.parts import rendered_part
from masthead.caching.store import record
from masthead.core.models import SocialFields, ViewRestrictionsFromCache
from masthead.core.pagination import paginate
from masthead.core.permissions import OwnPagesPermissionTester
from masthead.jobs.models import boards_below
from masthead.navigation.models import MenuFields
from masthead.sections.blocks import FrontPageBlock
from masthead.sections.front import default_front, fill_fragment_slots, front_page_blocks, slot


class HomePage(ViewRestrictionsFromCache, SocialFields, Page):
    intro = models.TextField(blank=True, max_length=600, help_text="Shown to search engines.")
    front = StreamField(
        FrontPageBlock(),
        blank=True,
        verbose_name="front page",
        help_text="The blocks of the front page, top to bottom. Empty: a lead, then a block for "
        "each section marked to show on the home page.",
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("front")]
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

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        content = rendered_part(
            request, f"home:{self.pk}", "sections/front_page.html", self.content_context
        )
        # Every article published or edited purges the front page (children:<id>), and with
        # it the fragments it shows would be built again: inside the page, they cost Varnish
        # nothing on each hit.
        context["fragments_inside"] = True
        context["content"] = fill_fragment_slots(content, inside=True)
        return context

    def arrangement(self):
        """The front page's blocks as editors arranged them, or else the default arrangement."""
        if self.front.raw_data:
            return [dict(block) for block in self.front.raw_data]
        sections = SectionPage.objects.child_of(self).live().filter(show_on_home=True)
        opinion = SectionPage.objects.descendant_of(self).live().filter(slug__startswith="opinion")
        return default_front(sections.order_by("path"), opinion.order_by("path").first())

    def content_context(self):
        """The front page, block by block, in a fixed number of queries for any arrangement."""
        record(f"url:{self.pk}", f"children:{self.pk}")
        return {"blocks": front_page_blocks(self, self.arrangement())}


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
        content = rendered_part(
            request,
            f"section:{self.pk}:{number}",
            "sections/section.html",
            lambda: self.content_context(request),
        )
        context["content"] = fill_fragment_slots(content)
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
        lead = None
        if articles.number == 1 and articles.object_list:
            lead, articles.object_list = articles.object_list[0], articles.object_list[1:]
        return {
            "page": self,
            "lead": lead,
            "articles": articles,
            "hide_section_of": self.pk,
            "most_read": mark_safe(slot(f"most-read-{self.pk}")),  # noqa: S308 (a marker)
            "subsections": subsections,
            "breadcrumbs": breadcrumbs,
            "boards": boards_below(self),
        }

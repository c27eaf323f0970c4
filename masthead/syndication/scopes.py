"""What a feed or a sitemap is about: the current site, and which of its articles a feed lists."""

import re
from dataclasses import dataclass

from django.db.models import Max, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from taggit.models import Tag
from wagtail.images import get_image_model
from wagtail.models import Site

from masthead.articles.models import ArticleAuthor, ArticlePage, ArticleTag, attach_sections
from masthead.authors.models import Author
from masthead.caching.store import record
from masthead.core.models import SiteSettings
from masthead.jobs.models import ScholarshipBoard, VacancyBoard
from masthead.sections.models import SectionPage

FEED_LENGTH = 20
FEED_IMAGE = "fill-1200x800-c100"  # the 3:2 lead picture the article page already renders
SECTION_PATH = re.compile(r"^[-\w]+(/[-\w]+)*$")


class SiteContext:
    """The site a request is for, its root page, and absolute addresses on it."""

    def __init__(self, request):
        self.site = Site.find_for_request(request)
        if self.site is None:
            raise Http404("No site answers at this address.")
        self.root = self.site.root_page
        record("settings")
        self.root_url = self.site.root_url
        self.name = self.site.site_name or self.root.title

    def url_for_path(self, url_path):
        """A page's absolute address from its `url_path`, without a query."""
        return self.root_url + url_path[len(self.root.url_path) - 1 :]

    def absolute(self, url):
        return self.root_url + url if url.startswith("/") else url

    def articles(self):
        return ArticlePage.objects.published().filter(path__startswith=self.root.path)

    def public_ids(self):
        """The ids of the site's public articles, as a subquery (unordered: faster to match)."""
        return self.articles().order_by().values("pk")

    def settings(self):
        if not hasattr(self, "_settings"):
            self._settings = SiteSettings.for_site(self.site)
        return self._settings


@dataclass
class FeedScope:
    title: str
    description: str
    link: str  # the page a reader would visit for the same articles
    articles: object  # a queryset of public articles


def feed_scope(here, kind=None, key=None):
    """The whole site, a section with its subsections, a tag or an author; 404 for unknown ones."""
    articles = here.articles()
    if kind is None:
        record(f"children:{here.root.pk}")
        tagline = here.settings().tagline
        return FeedScope(
            here.name,
            tagline or f"The latest articles from {here.name}.",
            here.root_url + "/",
            articles,
        )
    if kind == "section":
        if not SECTION_PATH.match(key):
            raise Http404("No such section.")
        section = (
            SectionPage.objects.live()
            .filter(url_path=f"{here.root.url_path}{key}/")
            .only("title", "intro", "url_path", "path", "depth")
            .first()
        )
        if section is None:
            raise Http404("No such section.")
        record(f"page:{section.pk}", f"children:{section.pk}")
        return FeedScope(
            f"{section.title} | {here.name}",
            section.intro or f"The latest articles in {section.title}.",
            here.url_for_path(section.url_path),
            articles.filter(path__startswith=section.path),
        )
    if kind == "tag":
        tag = get_object_or_404(Tag, slug=key)
        record(f"tag:{tag.pk}", f"tagged:{tag.pk}")
        return FeedScope(
            f"{tag.name} | {here.name}",
            f"Articles tagged {tag.name}.",
            here.absolute(reverse("tag", kwargs={"slug": tag.slug})),
            articles.filter(tags=tag),
        )
    if kind == "author":
        author = get_object_or_404(Author, slug=key)
        record(f"author:{author.pk}", f"byline:{author.pk}")
        return FeedScope(
            f"{author.name} | {here.name}",
            f"Articles by {author.name}" + (f", {author.role}." if author.role else "."),
            here.absolute(author.get_absolute_url()),
            articles.filter(article_authors__author=author),
        )
    raise Http404("No such feed.")


def board_for_key(here, key):
    """A live jobs or scholarships board from its path below the site's root, or 404."""
    if not SECTION_PATH.match(key or ""):
        raise Http404("No such board.")
    for model in (VacancyBoard, ScholarshipBoard):
        board = model.objects.live().filter(url_path=f"{here.root.url_path}{key}/").first()
        if board:
            record(f"page:{board.pk}", f"children:{board.pk}")
            return board
    raise Http404("No such board.")


def feed_articles(scope, full_text):
    """The newest articles of a scope with all a feed entry shows, in a fixed number of queries."""
    queryset = (
        scope.articles.order_by("-date", "-pk")
        .annotate(corrected=Max("corrections__made_at"))
        .prefetch_related(
            Prefetch(
                "lead_image", queryset=get_image_model().objects.prefetch_renditions(FEED_IMAGE)
            ),
            Prefetch(
                "article_authors",
                queryset=ArticleAuthor.objects.select_related("author").order_by("sort_order"),
            ),
            Prefetch(
                "tagged_items",
                queryset=ArticleTag.objects.select_related("tag").order_by("tag__name"),
            ),
        )
    )
    if not full_text:
        queryset = queryset.defer_streamfields()
    return attach_sections(queryset[:FEED_LENGTH])

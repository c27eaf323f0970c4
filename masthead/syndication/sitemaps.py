"""Sitemaps: articles by month, sections, tags, authors, standard pages, the jobs boards, and
Google News.

Every sitemap is a Django `Sitemap` over a `values()` queryset, so that one page of it is one
slice of rows, whatever the size of the site; the index counts rows per month in one query.
"""

import operator
from datetime import UTC, datetime, timedelta
from functools import reduce
from types import SimpleNamespace
from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap
from django.db.models import Count, Max, Q
from django.db.models.functions import Length, Substr, TruncMonth
from django.urls import reverse
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Page

from masthead.articles.models import ArticleAuthor, ArticleTag, TopStoriesPage
from masthead.jobs.models import Scholarship, ScholarshipBoard, Vacancy, VacancyBoard
from masthead.pages.models import StandardPage
from masthead.sections.models import SectionPage

ARTICLES_PER_SITEMAP = 5000
NEWS_WINDOW = timedelta(hours=48)
NEWS_LIMIT = 1000  # Google News reads at most 1,000 articles from one news sitemap
ARTICLE_FIELDS = ("url_path", "date", "last_published_at", "lead_image__file")
# A correction is a change of its article (lastmod).
CORRECTED = {"corrected": Max("corrections__made_at")}


def latest(*dates):
    return max((date for date in dates if date), default=None)


def image_url(here, file_name):
    if not file_name:
        return None
    storage = get_image_model()._meta.get_field("file").storage
    return here.absolute(storage.url(file_name))


class SiteSitemap(Sitemap):
    """A sitemap of one site's pages; `location` is the path below the site's root."""

    limit = ARTICLES_PER_SITEMAP

    def __init__(self, here):
        self.here = here

    def location(self, item):
        return item["url_path"][len(self.here.root.url_path) - 1 :]

    def lastmod(self, item):
        return latest(item.get("date"), item.get("last_published_at"), item.get("corrected"))

    def latest_change(self, newest_article):
        """When any page of this sitemap last changed, for the index: by default when the
        newest article was published, since an article changes its sections, tags and authors."""
        return newest_article

    def get_urls(self, page=1, site=None, protocol=None):
        root = urlsplit(self.here.root_url)
        urls = super().get_urls(page, SimpleNamespace(domain=root.netloc), root.scheme)
        for url in urls:
            url["image"] = image_url(self.here, url["item"].get("lead_image__file"))
        return urls


def in_utc(moment):
    """`moment` in UTC, or None where UTC cannot hold it (the first hours of year 1 east of
    Greenwich, the last of year 9999 west of it): then the range has no bound on that side."""
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return None


def month_bounds(year, month):
    """The first instant of the month in the site's zone and that of the next month, in UTC;
    None for a bound that `datetime` cannot hold (9999-12 has no next month). ValueError for a
    month that is not one (month 0 or 13, year 0)."""
    zone = timezone.get_current_timezone()
    start = datetime(year, month, 1, tzinfo=zone)
    try:
        end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    except ValueError:
        end = None
    return in_utc(start), end and in_utc(end)


class ArticleMonthSitemap(SiteSitemap):
    def __init__(self, here, year, month):
        super().__init__(here)
        self.start, self.end = month_bounds(year, month)

    def items(self):
        articles = self.here.articles()
        if self.start:
            articles = articles.filter(date__gte=self.start)
        if self.end:
            articles = articles.filter(date__lt=self.end)
        return articles.order_by("date", "pk").values(*ARTICLE_FIELDS).annotate(**CORRECTED)


class NewsSitemap(SiteSitemap):
    """The articles of the last 48 hours, newest first, for Google News."""

    limit = NEWS_LIMIT

    def items(self):
        return (
            self.here.articles()
            .filter(date__gte=timezone.now() - NEWS_WINDOW)
            .order_by("-date", "-pk")
            .values(*ARTICLE_FIELDS, "title")
            .annotate(**CORRECTED)
        )


class SectionSitemap(SiteSitemap):
    """The home page, the top stories and the sections, each dated by its newest article."""

    def items(self):
        root = self.here.root
        pages = [
            {"url_path": root.url_path, "path": root.path, "last_published_at": None},
            *TopStoriesPage.objects.live()
            .public()
            .filter(path__startswith=root.path)
            .values("url_path", "path", "last_published_at"),
            *SectionPage.objects.live()
            .public()
            .filter(path__startswith=root.path)
            .order_by("path")
            .values("url_path", "path", "last_published_at"),
        ]
        newest_by_parent = (
            self.here.articles()
            .order_by()  # Wagtail orders pages by path, which would group by every article
            .annotate(parent=Substr("path", 1, Length("path") - Page.steplen))
            .values("parent")
            .annotate(published=Max("last_published_at"), dated=Max("date"))
            .values_list("parent", "published", "dated")
        )
        newest_by_parent = [(parent, latest(*dates)) for parent, *dates in newest_by_parent]
        for page in pages:
            page["last_published_at"] = latest(
                page["last_published_at"],
                *(newest for parent, newest in newest_by_parent if parent.startswith(page["path"])),
            )
        return pages


class StandardPageSitemap(SiteSitemap):
    def latest_change(self, newest_article):
        return self.items().aggregate(newest=Max("last_published_at"))["newest"]

    def items(self):
        return (
            StandardPage.objects.live()
            .public()
            .filter(path__startswith=self.here.root.path)
            .order_by("path")
            .values("url_path", "last_published_at")
        )


class TagSitemap(SiteSitemap):
    """Tags with public articles, each dated by its newest article."""

    def items(self):
        return (
            ArticleTag.objects.filter(content_object__in=self.here.public_ids())
            .values("tag__slug")
            .annotate(
                last_published_at=Max("content_object__last_published_at"),
                date=Max("content_object__date"),
            )
            .order_by("tag__slug")
        )

    def location(self, item):
        return reverse("tag", kwargs={"slug": item["tag__slug"]})


class AuthorSitemap(SiteSitemap):
    """Authors with public articles, each dated by their newest article."""

    def items(self):
        return (
            ArticleAuthor.objects.filter(page__in=self.here.public_ids())
            .values("author__slug")
            .annotate(last_published_at=Max("page__last_published_at"), date=Max("page__date"))
            .order_by("author__slug")
        )

    def location(self, item):
        return reverse("author", kwargs={"slug": item["author__slug"]})


class ListingSitemap(SiteSitemap):
    """The jobs and scholarships boards with their open listings (closed ones ask search engines
    to forget them), then the organisations that have open listings."""

    def latest_change(self, newest_article):
        return max(
            (item["last_published_at"] for item in self.items() if item["last_published_at"]),
            default=None,
        )

    def items(self):
        if not hasattr(self, "_listed"):
            self._listed = self.listed_pages()
        return self._listed

    def listed_pages(self):
        boards = list(
            Page.objects.live()
            .public()
            .type(VacancyBoard, ScholarshipBoard)
            .filter(path__startswith=self.here.root.path)
            .order_by("path")
            .values("url_path", "last_published_at", "path")
        )
        if not boards:
            return []
        on_boards = reduce(operator.or_, (Q(path__startswith=board["path"]) for board in boards))
        pages, organisations = list(boards), {}
        for model in (Vacancy, Scholarship):
            listings = (
                model.objects.open()
                .filter(on_boards)
                .order_by("path")
                .values("url_path", "last_published_at", "organisation__slug")
            )
            for listing in listings:
                pages.append(listing)
                slug = listing["organisation__slug"]
                organisations[slug] = latest(organisations.get(slug), listing["last_published_at"])
        pages += [
            {"organisation__slug": slug, "url_path": None, "last_published_at": changed}
            for slug, changed in sorted(organisations.items())
        ]
        return pages

    def location(self, item):
        if item["url_path"] is None:
            return reverse("organisation", kwargs={"slug": item["organisation__slug"]})
        return super().location(item)


LISTED_SITEMAPS = {
    "sections": SectionSitemap,
    "pages": StandardPageSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
    "news": NewsSitemap,
    "listings": ListingSitemap,
}


def article_months(here):
    """(month, number of articles, newest change) for every month with public articles."""
    return (
        here.articles()
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(count=Count("pk"), newest=Max("last_published_at"), last=Max("date"))
        .order_by("month")
    )

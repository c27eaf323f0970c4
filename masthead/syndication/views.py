import math

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from masthead.caching.store import record
from masthead.syndication.scopes import SiteContext
from masthead.syndication.sitemaps import (
    ARTICLES_PER_SITEMAP,
    LISTED_SITEMAPS,
    ArticleMonthSitemap,
    article_months,
    latest,
)

XML = "application/xml; charset=utf-8"


def w3c(value):
    """A date as sitemaps want it: W3C date-time in the site's zone, to the second."""
    return timezone.localtime(value).replace(microsecond=0).isoformat() if value else ""


def xml_response(request, template, context):
    response = render(request, template, context, content_type=XML)
    # Sitemaps are for crawlers to read, not for search results to show.
    response.headers["X-Robots-Tag"] = "noindex, noarchive"
    return response


def page_number(request):
    return request.GET.get("page", 1)


@require_safe
def sitemap_index(request):
    here = SiteContext(request)
    record(f"children:{here.root.pk}")
    sitemaps = []
    newest_overall = None
    for row in article_months(here):
        newest = latest(row["newest"], row["last"])
        newest_overall = latest(newest_overall, newest)
        location = here.absolute(
            reverse(
                "sitemap_articles",
                kwargs={"year": f"{row['month']:%Y}", "month": f"{row['month']:%m}"},
            )
        )
        pages = math.ceil(row["count"] / ARTICLES_PER_SITEMAP)
        for number in range(1, pages + 1):
            suffix = f"?page={number}" if number > 1 else ""
            sitemaps.append({"location": location + suffix, "lastmod": w3c(newest)})
    for name, sitemap_class in LISTED_SITEMAPS.items():
        location = here.absolute(reverse("sitemap", kwargs={"name": name}))
        sitemap = sitemap_class(here)
        lastmod = w3c(sitemap.latest_change(newest_overall))
        if name in ("sections", "news"):
            # Always listed: the home page is always there; news is named in robots.txt.
            sitemaps.append({"location": location, "lastmod": lastmod})
            continue
        paginator = sitemap.paginator
        for number in paginator.page_range if paginator.count else ():
            suffix = f"?page={number}" if number > 1 else ""
            sitemaps.append({"location": location + suffix, "lastmod": lastmod})
    return xml_response(request, "syndication/sitemap_index.xml", {"sitemaps": sitemaps})


def urlset(request, sitemap, template="syndication/sitemap.xml", allow_empty=True, **context):
    record(f"children:{sitemap.here.root.pk}", "tags", "authors", "orgs")
    try:
        urls = sitemap.get_urls(page=page_number(request))
    except (EmptyPage, PageNotAnInteger) as error:
        raise Http404("No such page of this sitemap.") from error
    if not urls and not allow_empty:
        raise Http404("Nothing in this sitemap.")
    for url in urls:
        url["lastmod"] = w3c(url["lastmod"])
        if "date" in url["item"]:
            url["published"] = w3c(url["item"]["date"])
    return xml_response(request, template, {"urls": urls, **context})


@require_safe
def sitemap_articles(request, year, month):
    try:
        sitemap = ArticleMonthSitemap(SiteContext(request), int(year), int(month))
    except ValueError as error:
        raise Http404("No such month.") from error
    # Only months with articles are listed in the index; any other month is not a sitemap.
    return urlset(request, sitemap, allow_empty=False)


@require_safe
def sitemap(request, name):
    here = SiteContext(request)
    if name == "news":
        # Google News wants an ISO 639 code, with zh-cn and zh-tw the only regional ones.
        language = settings.LANGUAGE_CODE.lower()
        if language not in ("zh-cn", "zh-tw"):
            language = language.split("-")[0]
        return urlset(
            request,
            LISTED_SITEMAPS["news"](here),
            "syndication/news_sitemap.xml",
            publication=here.name,
            language=language,
        )
    return urlset(request, LISTED_SITEMAPS[name](here))


@require_safe
def robots_txt(request):
    here = SiteContext(request)
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "",
        f"Sitemap: {here.absolute(reverse('sitemap_index'))}",
        f"Sitemap: {here.absolute(reverse('sitemap', kwargs={'name': 'news'}))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")

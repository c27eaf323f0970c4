"""`{% seo_head %}`: canonical address, feeds, Open Graph, Twitter card and JSON-LD for <head>.

A page's head is built once from the page (its ancestors, and an article's authors, tags and
section) and kept by `cached()` until one of them changes; an author's or a tag's head comes from
what its view put in the context."""

from django import template
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from taggit.models import Tag
from wagtail.models import Page

from masthead.articles.models import ArticlePage
from masthead.authors.models import Author
from masthead.caching.middleware import next_midnight
from masthead.caching.store import cached, expire_at, record
from masthead.core.models import SiteSettings, SocialFields
from masthead.core.panels import SHARE_RENDITION
from masthead.jobs.models import Board, Listing, Vacancy
from masthead.sections.models import HomePage, SectionPage
from masthead.syndication import structured_data as sd
from masthead.syndication.scopes import SiteContext

register = template.Library()


def listing_number(context):
    """The number of the page of a listing shown, 1 for anything else."""
    listing = context.get("articles")
    return getattr(listing, "number", None) or context.get("page_number") or 1


def paginated(url, number):
    """The canonical address of page N of a listing keeps its ?page=N; page 1 has none."""
    return f"{url}?page={number}" if number > 1 else url


def share_tags(title, description, image, url, og_type, here, handle):
    og = [
        ("og:type", og_type),
        ("og:site_name", here.name),
        ("og:title", title),
        ("og:url", url),
    ]
    if description:
        og.append(("og:description", description))
    twitter = [("twitter:card", "summary_large_image" if image else "summary")]
    if handle:
        twitter.append(("twitter:site", handle))
    twitter += [("twitter:title", title)]
    if description:
        twitter.append(("twitter:description", description))
    if image:
        rendition = image.get_rendition(SHARE_RENDITION)
        image_url = here.absolute(rendition.url)
        og += [
            ("og:image", image_url),
            ("og:image:width", str(rendition.width)),
            ("og:image:height", str(rendition.height)),
            ("og:image:alt", image.default_alt_text),
        ]
        twitter += [("twitter:image", image_url), ("twitter:image:alt", image.default_alt_text)]
    return og, twitter


def page_head(request, page, number, here, site_settings):
    record(f"url:{page.pk}")
    canonical = paginated(page.get_full_url(request), number)
    if isinstance(page, SocialFields):
        title, description, image = page.share_title, page.share_description, page.share_image
    else:
        title, description, image = page.seo_title or page.title, "", None
        description = sd.plain(page.search_description or getattr(page, "intro", ""))
    og_type = "article" if isinstance(page, ArticlePage) else "website"
    og, twitter = share_tags(
        title, description, image, canonical, og_type, here, sd.twitter_handle(site_settings)
    )
    head = {"canonical": canonical, "og": og, "twitter": twitter, "json_ld": []}
    feeds = sd.feed_links(here.name, "feed")
    publisher = sd.organization(here, site_settings)

    if isinstance(page, HomePage) or page.pk == here.root.pk:
        head["json_ld"] = [{"@context": "https://schema.org", **publisher}, sd.website(here)]
    else:
        ancestors = page.get_ancestors().filter(depth__gt=here.root.depth)
        ancestors = list(ancestors.only("title", "url_path"))
        record(*(f"page:{ancestor.pk}" for ancestor in ancestors))
        trail = [
            ("Home", here.root_url + "/"),
            *((a.title, here.url_for_path(a.url_path)) for a in ancestors),
            (page.title, here.url_for_path(page.url_path)),
        ]
        head["json_ld"].append(sd.breadcrumbs(trail))

    if isinstance(page, Listing):
        record(f"org:{page.organisation_id}")
        expire_at(next_midnight())  # whether it is open, and so has a JobPosting
    if isinstance(page, ArticlePage):
        authors = [link.author for link in page.article_authors.select_related("author")]
        tags = list(page.tags.order_by("name"))
        section = page.get_parent()
        record(
            f"page:{section.pk}",
            *(f"author:{author.pk}" for author in authors),
            *(f"tag:{tag.pk}" for tag in tags),
        )
        og += [
            ("article:published_time", page.date.isoformat()),
            (
                "article:modified_time",
                page.modified_at().isoformat(),
            ),
        ]
        if section:
            og.append(("article:section", section.title))
        og += [("article:author", here.absolute(a.get_absolute_url())) for a in authors]
        og += [("article:tag", tag.name) for tag in tags]
        article = sd.news_article(here, page, canonical, authors, section, tags, publisher)
        if page.live_coverage:
            article = sd.live_blog_posting(article, page, list(page.live_entries.all()), canonical)
        head["json_ld"].insert(0, article)
    elif isinstance(page, Vacancy) and page.is_open:
        head["json_ld"].insert(0, sd.job_posting(here, page, canonical))
    elif isinstance(page, SectionPage):
        key = page.url_path[len(here.root.url_path) : -1]
        feeds = sd.feed_links(page.title, "section_feed", key=key) + feeds
    elif isinstance(page, Board):
        key = page.url_path[len(here.root.url_path) : -1]
        feeds = sd.feed_links(page.title, "board_feed", key=key) + feeds
    head["feeds"] = feeds
    return head


def author_head(context, author, here, site_settings):
    url = paginated(here.absolute(author.get_absolute_url()), listing_number(context))
    image_url = None
    if author.photo:
        image_url = here.absolute(author.photo.get_rendition("fill-240x240-c100").url)
    description = sd.plain(author.bio) or f"Articles by {author.name}."
    og, twitter = share_tags(
        author.name, description, None, url, "profile", here, sd.twitter_handle(site_settings)
    )
    if image_url:
        og.append(("og:image", image_url))
    return {
        "canonical": url,
        "og": og,
        "twitter": twitter,
        "json_ld": [sd.person(here, author, site_settings, image_url)],
        "feeds": sd.feed_links(author.name, "author_feed", key=author.slug)
        + sd.feed_links(here.name, "feed"),
    }


def tag_head(context, tag, here, site_settings):
    url = paginated(
        here.absolute(reverse("tag", kwargs={"slug": tag.slug})), listing_number(context)
    )
    og, twitter = share_tags(
        tag.name,
        f"Articles tagged {tag.name}.",
        None,
        url,
        "website",
        here,
        sd.twitter_handle(site_settings),
    )
    return {
        "canonical": url,
        "og": og,
        "twitter": twitter,
        "json_ld": [],
        "feeds": sd.feed_links(tag.name, "tag_feed", key=tag.slug)
        + sd.feed_links(here.name, "feed"),
    }


def render_head(head):
    head["json_ld"] = [sd.json_ld(data) for data in head.get("json_ld", [])]
    return render_to_string("syndication/head.html", head)


@register.simple_tag(takes_context=True)
def seo_head(context):
    request = context.get("request")
    if request is None:
        return ""
    try:
        here = SiteContext(request)
    except Http404:
        return ""
    site_settings = SiteSettings.for_request(request)
    page = context.get("page")
    author = context.get("author")
    tag = context.get("tag")
    if isinstance(page, Page):
        number = listing_number(context)

        def build():
            return render_head(page_head(request, page, number, here, site_settings))

        if getattr(request, "is_preview", False):
            return build()
        return cached(f"seo-head:{here.site.pk}:{page.pk}:{number}", build)
    if isinstance(author, Author):
        return render_head(author_head(context, author, here, site_settings))
    if isinstance(tag, Tag):
        return render_head(tag_head(context, tag, here, site_settings))
    return render_head({"feeds": sd.feed_links(here.name, "feed")})  # error pages and the rest

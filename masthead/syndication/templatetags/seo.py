"""`{% seo_head %}`: canonical address, feeds, Open Graph, Twitter card and JSON-LD for <head>.

It reads what the page's own view already put in the context (the page, its authors, tags and
section; an author; a tag) and adds a fixed handful of queries, whatever the page lists."""

from django import template
from django.http import Http404
from django.urls import reverse
from taggit.models import Tag
from wagtail.models import Page

from masthead.articles.models import ArticlePage
from masthead.authors.models import Author
from masthead.core.models import SiteSettings, SocialFields
from masthead.core.panels import SHARE_RENDITION
from masthead.jobs.models import Board, Vacancy
from masthead.sections.models import HomePage, SectionPage
from masthead.syndication import structured_data as sd
from masthead.syndication.scopes import SiteContext

register = template.Library()


def paginated(url, context):
    """The canonical address of page N of a listing keeps its ?page=N; page 1 has none."""
    listing = context.get("articles")
    number = getattr(listing, "number", 1)
    return f"{url}?page={number}" if number and number > 1 else url


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


def page_head(context, page, here, site_settings):
    request = context["request"]
    canonical = paginated(page.get_full_url(request), context)
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
        # A section's view has already fetched its ancestors below the home page.
        ancestors = context.get("breadcrumbs")
        if ancestors is None:
            ancestors = page.get_ancestors().filter(depth__gt=here.root.depth)
            ancestors = ancestors.only("title", "url_path")
        trail = [
            ("Home", here.root_url + "/"),
            *((a.title, here.url_for_path(a.url_path)) for a in ancestors),
            (page.title, here.url_for_path(page.url_path)),
        ]
        head["json_ld"].append(sd.breadcrumbs(trail))

    if isinstance(page, ArticlePage):
        authors = context.get("authors")
        if authors is None:
            authors = page.authors
        tags = context.get("tags") or []
        section = context.get("section")
        og += [
            ("article:published_time", page.date.isoformat()),
            (
                "article:modified_time",
                max(page.date, page.last_published_at or page.date).isoformat(),
            ),
        ]
        if section:
            og.append(("article:section", section.title))
        og += [("article:author", here.absolute(a.get_absolute_url())) for a in authors]
        og += [("article:tag", tag.name) for tag in tags]
        article = sd.news_article(here, page, canonical, authors, section, tags, publisher)
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
    url = paginated(here.absolute(author.get_absolute_url()), context)
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
    url = paginated(here.absolute(reverse("tag", kwargs={"slug": tag.slug})), context)
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


@register.inclusion_tag("syndication/head.html", takes_context=True)
def seo_head(context):
    request = context.get("request")
    if request is None:
        return {}
    try:
        here = SiteContext(request)
    except Http404:
        return {}
    site_settings = SiteSettings.for_request(request)
    page = context.get("page")
    author = context.get("author")
    tag = context.get("tag")
    if isinstance(page, Page):
        head = page_head(context, page, here, site_settings)
    elif isinstance(author, Author):
        head = author_head(context, author, here, site_settings)
    elif isinstance(tag, Tag):
        head = tag_head(context, tag, here, site_settings)
    else:  # error pages and anything else: only the site's feeds
        head = {"feeds": sd.feed_links(here.name, "feed")}
    head["json_ld"] = [sd.json_ld(data) for data in head.get("json_ld", [])]
    return head

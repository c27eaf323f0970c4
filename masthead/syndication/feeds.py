"""RSS 2.0, Atom and JSON Feed 1.1 for the site, a section, a tag or an author.

Each request builds one list of entries (`build_feed`) in a fixed number of queries; Django's
syndication framework writes it as RSS or Atom, and a small view writes it as JSON Feed.
"""

import mimetypes
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import JsonResponse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.views.decorators.http import require_safe

from masthead.caching.store import record
from masthead.core.templatetags.dates import news_date
from masthead.syndication.feed_html import render_bodies
from masthead.syndication.scopes import (
    FEED_IMAGE,
    FEED_LENGTH,
    SiteContext,
    board_for_key,
    feed_articles,
    feed_scope,
)
from masthead.syndication.structured_data import plain

LIVE_CATEGORY = "Live"
MEDIA_NS = "http://search.yahoo.com/mrss/"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"


def image_size(rendition):
    """The rendition's size in bytes for the enclosure, 0 when the storage cannot tell."""
    try:
        return rendition.file.size
    except (OSError, NotImplementedError, ValueError):
        return 0


def live_category(article):
    """Running live coverage is marked by a category (RSS, Atom) or tag (JSON Feed) "Live"."""
    return [LIVE_CATEGORY] if article.live_coverage == article.LIVE_RUNNING else []


def build_feed(request, kind=None, key=None):
    here = SiteContext(request)
    if kind == "board":
        return build_board_feed(here, key)
    scope = feed_scope(here, kind, key)
    full_text = here.settings().feed_full_text
    articles = feed_articles(scope, full_text)
    if full_text:
        render_bodies(articles, here)
    hostname = urlsplit(here.root_url).hostname or "localhost"
    entries = []
    for article in articles:
        image = None
        if article.lead_image:
            rendition = article.lead_image.get_rendition(FEED_IMAGE)
            image = {
                "url": here.absolute(rendition.url),
                "width": rendition.width,
                "height": rendition.height,
                "type": mimetypes.guess_type(rendition.url)[0] or "image/jpeg",
                "length": image_size(rendition),
                "alt": article.lead_image.default_alt_text,
                "caption": article.lead_image_caption,
            }
        first = article.first_published_at or article.date
        tagged = article.tagged_items.all()
        record(*(f"tag:{item.tag_id}" for item in tagged))
        entries.append(
            {
                "guid": f"tag:{hostname},{first:%Y-%m-%d}:article/{article.pk}",
                "title": article.title,
                "link": here.url_for_path(article.url_path),
                "summary": article.standfirst or article.search_description or article.title,
                "content_html": getattr(article, "feed_html", None),
                "published": article.date,
                "updated": article.modified_at(list(filter(None, [article.corrected]))),
                "authors": [
                    (link.author.name, here.absolute(link.author.get_absolute_url()))
                    for link in article.article_authors.all()
                ],
                "tags": [*live_category(article), *(item.tag.name for item in tagged)],
                "live_coverage": article.live_coverage,
                "section": article.section.title if article.section else "",
                "image": image,
            }
        )
    return {
        "title": scope.title,
        "description": scope.description,
        "link": scope.link,
        "scope": scope,
        "here": here,
        "entries": entries,
    }


def build_board_feed(here, key):
    """The newest open listings of a jobs or scholarships board."""
    board = board_for_key(here, key)
    hostname = urlsplit(here.root_url).hostname or "localhost"
    listings = board.listings().for_cards().order_by("-first_published_at", "-pk")[:FEED_LENGTH]
    entries = []
    for listing in listings:
        record(f"org:{listing.organisation_id}")
        first = listing.first_published_at or listing.last_published_at
        organisation = listing.organisation
        kind = getattr(listing, "get_employment_type_display", None) or listing.get_level_display
        entries.append(
            {
                "guid": f"tag:{hostname},{first:%Y-%m-%d}:listing/{listing.pk}",
                "title": f"{listing.title} – {organisation.name}",
                "link": here.url_for_path(listing.url_path),
                "summary": " ".join(
                    part
                    for part in (
                        listing.summary or plain(listing.description)[:300],
                        f"{listing.place}." if listing.place else "",
                        f"Apply by {news_date(listing.closing_date)}.",
                    )
                    if part
                ),
                "content_html": None,
                "published": first,
                "updated": max(first, listing.last_published_at or first),
                "authors": [(organisation.name, here.absolute(organisation.get_absolute_url()))],
                "tags": [kind()],
                "section": board.title,
                "image": None,
            }
        )
    return {
        "title": f"{board.title} | {here.name}",
        "description": board.intro or f"Open listings of {board.title}.",
        "link": here.url_for_path(board.url_path),
        "here": here,
        "entries": entries,
    }


class MediaRssFeed(Rss201rev2Feed):
    """RSS 2.0 with the full text in content:encoded and the lead picture as media:content."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:media": MEDIA_NS, "xmlns:content": CONTENT_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content:encoded", item["content_html"])
        add_media(handler, item)


class MediaAtomFeed(Atom1Feed):
    """Atom with the full text as content and the lead picture as media:content."""

    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:media": MEDIA_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})
        add_media(handler, item)


def add_media(handler, item):
    image = item.get("image")
    if not image:
        return
    handler.startElement(
        "media:content",
        {
            "url": image["url"],
            "medium": "image",
            "type": image["type"],
            "width": str(image["width"]),
            "height": str(image["height"]),
        },
    )
    if image["caption"] or image["alt"]:
        handler.addQuickElement("media:description", image["caption"] or image["alt"])
    handler.endElement("media:content")


class ArticleFeed(Feed):
    """The newest articles of a scope; `get_object` builds everything, the rest reads it."""

    feed_type = MediaRssFeed

    def get_object(self, request, kind=None, key=None, **kwargs):
        feed = build_feed(request, kind, key)
        feed["feed_url"] = feed["here"].absolute(request.path)
        return feed

    def title(self, feed):
        return feed["title"]

    def description(self, feed):
        return feed["description"]

    def subtitle(self, feed):
        return feed["description"]

    def link(self, feed):
        return feed["link"]

    def feed_url(self, feed):
        return feed["feed_url"]

    def items(self, feed):
        return feed["entries"]

    def item_title(self, entry):
        return entry["title"]

    def item_description(self, entry):
        return entry["summary"]

    def item_link(self, entry):
        return entry["link"]

    def item_guid(self, entry):
        return entry["guid"]

    def item_guid_is_permalink(self, entry):
        return False

    def item_pubdate(self, entry):
        return entry["published"]

    def item_updateddate(self, entry):
        return entry["updated"]

    def item_author_name(self, entry):
        names = [name for name, _ in entry["authors"]]
        return " and ".join(filter(None, [", ".join(names[:-1]), names[-1]])) if names else None

    def item_author_link(self, entry):
        return entry["authors"][0][1] if entry["authors"] else None

    def item_categories(self, entry):
        return entry["tags"]

    def item_enclosures(self, entry):
        image = entry["image"]
        if not image:
            return []
        return [Enclosure(image["url"], str(image["length"]), image["type"])]

    def item_extra_kwargs(self, entry):
        return {"content_html": entry["content_html"], "image": entry["image"]}


class AtomArticleFeed(ArticleFeed):
    feed_type = MediaAtomFeed


rss_feed = ArticleFeed()
atom_feed = AtomArticleFeed()


def json_feed(request, kind=None, key=None):
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1) of the same entries."""
    feed = build_feed(request, kind, key)
    here = feed["here"]
    items = []
    for entry in feed["entries"]:
        item = {
            "id": entry["guid"],
            "url": entry["link"],
            "title": entry["title"],
            "summary": entry["summary"],
            "date_published": entry["published"].isoformat(),
            "date_modified": entry["updated"].isoformat(),
            "authors": [{"name": name, "url": url} for name, url in entry["authors"]],
            "tags": entry["tags"],
        }
        if entry.get("live_coverage"):
            item["_masthead"] = {"live_coverage": entry["live_coverage"]}
        if entry["content_html"]:
            item["content_html"] = entry["content_html"]
        else:
            item["content_text"] = entry["summary"]
        if entry["image"]:
            image = entry["image"]
            item["image"] = image["url"]
            attachment = {"url": image["url"], "mime_type": image["type"]}
            if image["length"]:
                attachment["size_in_bytes"] = image["length"]
            item["attachments"] = [attachment]
        items.append(item)
    data = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed["title"],
        "home_page_url": feed["link"],
        "feed_url": here.absolute(request.path),
        "description": feed["description"],
        "language": settings.LANGUAGE_CODE,
        "items": items,
    }
    return JsonResponse(
        data,
        content_type="application/feed+json; charset=utf-8",
        json_dumps_params={"ensure_ascii": False},
    )


@require_safe
def feed_view(request, feed_format, kind=None, key=None):
    """One address pattern for the three formats: /feeds/…/rss/, /atom/ and /json/."""
    if feed_format == "json":
        return json_feed(request, kind, key)
    view = atom_feed if feed_format == "atom" else rss_feed
    return view(request, kind=kind, key=key)

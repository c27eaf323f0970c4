"""Editions: what they say (the editor's blocks, or a digest's articles) and how they look as
an e-mail (responsive HTML with its styles inlined by css-inline, and plain text).

An edition is rendered once per send; each subscriber's links are substituted into it
(`personalise`), so that 20,000 messages cost one rendering."""

import re
from datetime import datetime, timedelta
from email.utils import format_datetime

import css_inline
import html_text
from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import Truncator
from lxml_html_clean import Cleaner
from wagtail.models import Site

from masthead.articles.models import ArticlePage, TopStory, cards
from masthead.core.templatetags.dates import news_day
from masthead.newsletter.models import Edition

# Replaced by each subscriber's own links (signed tokens and URLs never contain them).
PREFERENCES = "%%preferences_url%%"
UNSUBSCRIBE = "%%unsubscribe_url%%"
IMAGE_SPEC = "fill-800x450-c100"
INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
RELATIVE_LINK = re.compile(r'(href|src)="/(?!/)')
# Rich text from the editor is clean; this keeps anything else (an import, the shell) so.
CLEANER = Cleaner(scripts=True, javascript=True, style=True, forms=True, embedded=True)


def absolute(url):
    return settings.SITE_URL + url if url.startswith("/") else url


def paper_name():
    site = Site.objects.filter(is_default_site=True).first()
    return (site and site.site_name) or "Masthead"


def article_item(article):
    """What an article block of an edition shows, with absolute links."""
    image = None
    if article.lead_image_id:
        rendition = article.lead_image.get_rendition(IMAGE_SPEC)
        image = {
            "url": absolute(rendition.url),
            "width": rendition.width,
            "height": rendition.height,
            "alt": article.lead_image.title if article.lead_image_caption else "",
        }
    section = getattr(article, "section", None) or article.get_parent()
    return {
        "title": article.title,
        "standfirst": Truncator(article.standfirst).chars(300),
        "url": absolute(article.get_url() or "/"),
        "section": section.title if section else "",
        "image": image,
    }


def items(edition):
    """The edition's blocks as dicts for the templates: {"kind": "text", "html", "text"} or
    {"kind": "article", **article_item}. Articles no longer published are left out."""
    ids = [
        block.value.pk for block in edition.body if block.block_type == "article" and block.value
    ]
    articles = {a.pk: a for a in cards(ArticlePage.objects.published().filter(pk__in=ids))}
    found = []
    for block in edition.body:
        if block.block_type == "text":
            html = CLEANER.clean_html(f"<div>{block.value}</div>")
            html = RELATIVE_LINK.sub(rf'\1="{settings.SITE_URL}/', html)
            found.append({"kind": "text", "html": html, "text": html_text.extract_text(html)})
        elif block.block_type == "article" and block.value and block.value.pk in articles:
            found.append({"kind": "article", **article_item(articles[block.value.pk])})
    return found


def render(edition):
    """(subject, html, text) of `edition`, with the PREFERENCES and UNSUBSCRIBE markers where
    each subscriber's links go."""
    context = {
        "edition": edition,
        "subject": edition.subject,
        "preheader": edition.preheader,
        "newsletter": edition.newsletter,
        "paper": paper_name(),
        "site_url": settings.SITE_URL,
        "items": items(edition),
        "preferences_url": PREFERENCES,
        "unsubscribe_url": UNSUBSCRIBE,
    }
    html = render_to_string("newsletter/email/edition.html", context)
    html = INLINER.inline(RELATIVE_LINK.sub(rf'\1="{settings.SITE_URL}/', html))
    text = render_to_string("newsletter/email/edition.txt", context)
    return edition.subject, html, re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def personalise(content, preferences_url, unsubscribe_url):
    return content.replace(PREFERENCES, preferences_url).replace(UNSUBSCRIBE, unsubscribe_url)


def message_id(edition_id, subscriber_id):
    """The same for every copy of one edition's message to one subscriber, so that a message
    sent twice (the one in flight when a worker is killed) is recognisably the same."""
    domain = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return f"<edition-{edition_id}.subscriber-{subscriber_id}@{domain or 'localhost'}>"


def message_date(edition):
    return format_datetime(edition.started_at or timezone.now())


# Digests


def next_run(digest, now=None):
    """The next moment after `now` at the digest's time (and weekday), in the site's zone."""
    now = timezone.localtime(now or timezone.now())
    moment = datetime.combine(now.date(), digest.send_time, tzinfo=now.tzinfo)
    if digest.frequency == digest.Frequency.WEEKLY:
        moment += timedelta(days=(digest.weekday - moment.weekday()) % 7)
        step = timedelta(days=7)
    else:
        step = timedelta(days=1)
    while moment <= now:
        moment += step
    return moment


def digest_articles(digest, since):
    """The digest's articles dated after `since`: the top stories in their order, then the
    newest of each chosen section (each article once)."""
    published = ArticlePage.objects.published().filter(date__gt=since)
    chosen = []
    if digest.top_stories:
        top = TopStory.objects.order_by("page_id", "sort_order").values_list(
            "article_id", flat=True
        )
        found = {a.pk: a for a in published.filter(pk__in=list(top))}
        chosen += [found[pk] for pk in top if pk in found]
    for section in digest.sections.order_by("path"):
        newest = published.descendant_of(section).exclude(pk__in=[a.pk for a in chosen])
        chosen += list(newest.order_by("-date")[: digest.articles_per_section])
    return chosen


def digest_edition(digest, run):
    """The edition of `digest` for its run at `run`, assembled from what is new since the last
    one; None when nothing is. The same edition for a run assembled twice (a task run again)."""
    existing = digest.editions.filter(digest_run=run).first()
    if existing is not None:
        return existing
    since = digest.last_sent_at or run - (
        timedelta(days=7) if digest.frequency == digest.Frequency.WEEKLY else timedelta(days=1)
    )
    articles = digest_articles(digest, since)
    if not articles:
        return None
    local = timezone.localtime(run)
    subject = digest.subject or f"{digest.newsletter.name}: {news_day(local)}"
    try:
        with transaction.atomic():
            return Edition.objects.create(
                newsletter=digest.newsletter,
                subject=subject[:150],
                preheader=Truncator(", ".join(a.title for a in articles)).chars(200),
                body=[("article", article) for article in articles],
                digest=digest,
                digest_run=run,
            )
    except IntegrityError:  # assembled meanwhile by another run of the task
        return digest.editions.get(digest_run=run)

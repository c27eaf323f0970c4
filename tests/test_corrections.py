"""Corrections: a dated note on a published article, shown at its end, and counted as a change
of the article in its structured data, its "Updated" line, the feeds and the sitemaps."""

import json
import re
from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from masthead.articles.models import ArticlePage, Correction

pytestmark = pytest.mark.django_db

PUBLISHED = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
CORRECTED = datetime(2026, 12, 3, 10, 30, tzinfo=UTC)


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


@pytest.fixture
def story(paper):
    article = paper.article(title="Harbour reopens", tags=["Ports"], date=PUBLISHED)
    ArticlePage.objects.filter(pk=article.pk).update(last_published_at=PUBLISHED)
    article.refresh_from_db()
    return article


def correct(article, text, made_at=CORRECTED):
    """As an editor does: the note added to the article, published."""
    article.corrections.add(Correction(made_at=made_at, text=text))
    article.save_revision().publish()
    # published at this moment in the test; the correction's date is what is kept from it
    ArticlePage.objects.filter(pk=article.pk).update(last_published_at=PUBLISHED)
    article.refresh_from_db()


def structured(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def news_article(html):
    for block in structured(html):
        for item in block if isinstance(block, list) else [block]:
            if item.get("@type") == "NewsArticle":
                return item
    raise AssertionError("no NewsArticle")


def test_an_article_without_corrections_shows_no_note_and_no_update(client, story):
    html = get(client, story.url).content.decode()
    assert 'class="corrections"' not in html and "Updated" not in html
    assert news_article(html)["dateModified"] == PUBLISHED.isoformat()


def test_a_correction_is_shown_dated_and_counted_as_a_change_everywhere(client, story):
    correct(story, "An earlier version gave the harbour's depth as 12 m; it is 21 m.")
    html = get(client, story.url).content.decode()
    assert "Correction, 3 December 2026</time>: An earlier version gave the harbour" in html
    assert 'Updated <time datetime="2026-12-03T10:30:00+0000">3 December 2026</time>' in html
    assert news_article(html)["dateModified"] == CORRECTED.isoformat()
    assert f'<meta property="article:modified_time" content="{CORRECTED.isoformat()}">' in html

    atom = feedparser.parse(get(client, "/feeds/atom/").content)
    [entry] = [entry for entry in atom.entries if entry.title == "Harbour reopens"]
    assert entry.updated.startswith("2026-12-03T10:30:00")
    assert entry.published.startswith("2026-11-20T09:00:00")

    month = get(client, "/sitemaps/articles-2026-11.xml").content.decode()
    assert re.search(
        rf"<loc>[^<]*{story.url}</loc>\s*<lastmod>2026-12-03T10:30:00\+00:00</lastmod>", month
    ), month


def test_several_corrections_in_date_order_and_the_newest_counts(client, story):
    correct(story, "Second note.", made_at=CORRECTED)
    correct(story, "First note.", made_at=CORRECTED - timedelta(days=5))
    html = get(client, story.url).content.decode()
    assert '<h2 id="corrections-title">Corrections</h2>' in html
    assert html.index("First note.") < html.index("Second note.")
    assert news_article(html)["dateModified"] == CORRECTED.isoformat()


def test_a_hostile_correction_is_shown_as_text(client, story):
    correct(story, "<script>alert(1)</script> '; DROP TABLE articles; --")
    html = get(client, story.url).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &#x27;; DROP TABLE articles; --" in html


def test_a_draft_correction_is_not_shown_until_published(client, story):
    story.corrections.add(Correction(made_at=CORRECTED, text="Not yet."))
    story.save_revision()
    assert "Not yet." not in get(client, story.url).content.decode()


@pytest.fixture
def editor(client):
    user = get_user_model().objects.create_superuser("desk", "desk@example.org", "pw-desk-123")
    client.force_login(user)
    return user


def edit_form(story, corrections):
    """The admin's edit form of `story` with these (date, text) corrections, to publish."""
    data = {
        "title": story.title,
        "slug": story.slug,
        "standfirst": story.standfirst,
        "date": "2026-11-20 09:00",
        "body-count": "0",
        "tags": "Ports",
        "show_inline_related": "on",
        "comments_open": "on",
        "article_authors-TOTAL_FORMS": "0",
        "article_authors-INITIAL_FORMS": "0",
        "article_authors-MIN_NUM_FORMS": "0",
        "article_authors-MAX_NUM_FORMS": "1000",
        "corrections-TOTAL_FORMS": str(len(corrections)),
        "corrections-INITIAL_FORMS": "0",
        "corrections-MIN_NUM_FORMS": "0",
        "corrections-MAX_NUM_FORMS": "1000",
        "live_entries-TOTAL_FORMS": "0",
        "live_entries-INITIAL_FORMS": "0",
        "live_entries-MIN_NUM_FORMS": "0",
        "live_entries-MAX_NUM_FORMS": "1000",
        "action-publish": "action-publish",
    }
    for number, (made_at, text) in enumerate(corrections):
        data |= {
            f"corrections-{number}-made_at": made_at,
            f"corrections-{number}-text": text,
            f"corrections-{number}-ORDER": str(number + 1),
            f"corrections-{number}-id": "",
            f"corrections-{number}-DELETE": "",
        }
    return data


def test_an_editor_adds_a_correction_in_the_admin(client, story, editor):
    url = f"/admin/pages/{story.pk}/edit/"
    assert "Corrections" in get(client, url).content.decode()
    response = client.post(url, edit_form(story, [("2026-12-03 10:30", "Depth is 21 m.")]))
    assert response.status_code == 302, response.content.decode()[:2000]
    story.refresh_from_db()
    assert [c.text for c in story.corrections.all()] == ["Depth is 21 m."]


@pytest.mark.parametrize(
    ("made_at", "text", "message"),
    [
        ("2026-12-03 10:30", "", "This field is required."),
        ("2026-12-03 10:30", "x" * 10_000, "at most 2000 characters"),
        ("yesterday-ish", "A note.", "Enter a valid date"),
        ("", "A note.", "This field is required."),
    ],
)
def test_bad_corrections_are_refused_and_nothing_published_is_lost(
    client, story, editor, made_at, text, message
):
    correct(story, "The note already there.")
    response = client.post(f"/admin/pages/{story.pk}/edit/", edit_form(story, [(made_at, text)]))
    assert response.status_code == 200
    assert message in response.content.decode()
    live = ArticlePage.objects.get(pk=story.pk)
    assert [c.text for c in live.corrections.all()] == ["The note already there."]
    assert timezone.is_aware(live.modified_at())

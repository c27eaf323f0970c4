"""Live coverage: an article whose time-stamped entries editors add while it runs (newest first,
key events listed above), a cacheable poll that open pages ask for new entries, a summary at
the end, and LiveBlogPosting in its structured data, "Live" in the feeds."""

import json
import re
from datetime import timedelta

import feedparser
import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from masthead.articles.models import LIVE_POLL_SECONDS, ArticlePage, LiveEntry

pytestmark = pytest.mark.django_db


def get(client, url, status=200, **extra):
    response = client.get(url, **extra)
    assert response.status_code == status, (url, response.status_code)
    return response


def add_entry(article, text, pinned=False, minutes_ago=0):
    """As an editor does: an entry added to the article's coverage, and the article published."""
    article = ArticlePage.objects.get(pk=article.pk)
    article.live_entries.add(
        LiveEntry(at=timezone.now() - timedelta(minutes=minutes_ago), text=text, pinned=pinned)
    )
    article.save_revision().publish()
    return LiveEntry.objects.filter(page_id=article.pk).latest("pk")


@pytest.fixture
def coverage(paper):
    article = paper.article(
        title="Budget vote, live", live_coverage=ArticlePage.LIVE_RUNNING, tags=["Budget"]
    )
    add_entry(article, "<p>The session opens.</p>", minutes_ago=30)
    add_entry(article, "<p>The first amendment passes.</p>", pinned=True, minutes_ago=20)
    add_entry(article, "<p>A break for lunch.</p>", minutes_ago=10)
    article.refresh_from_db()
    return article


def poll_url(article, after=0):
    return f"/live/{article.pk}/entries?after={after}"


def entries_shown(html):
    return re.findall(r'<li class="live-entry[^"]*" id="entry-(\d+)"', html)


def test_entries_are_listed_newest_first_with_key_events_above(client, coverage):
    html = get(client, coverage.url).content.decode()
    ids = [entry.pk for entry in coverage.live_entries.order_by("-at")]
    assert entries_shown(html) == [str(pk) for pk in ids]
    assert '<span class="live__badge">Live</span> Latest updates' in html
    key_events = html[
        html.index('id="key-events-title"') : html.index("</nav>", html.index("key-events-title"))
    ]
    pinned = coverage.live_entries.get(pinned=True)
    assert (
        f'href="#entry-{pinned.pk}"' in key_events and "The first amendment passes." in key_events
    )
    assert "The session opens." not in key_events
    assert 'aria-live="polite"' in html
    assert (
        f'data-latest="{max(ids)}"' in html and f'data-poll-seconds="{LIVE_POLL_SECONDS}"' in html
    )
    assert "masthead/live.js" in html
    assert "<script>" not in html.split("</head>", 1)[1]  # no inline script (CSP)


def test_an_ordinary_article_has_no_live_parts(client, paper):
    article = paper.article(title="Quiet day")
    html = get(client, article.url).content.decode()
    assert "data-live-coverage" not in html and "live.js" not in html
    get(client, poll_url(article), status=404)


def test_the_poll_gives_the_entries_after_the_one_shown_and_when_to_ask_again(client, coverage):
    first, second, third = coverage.live_entries.order_by("at")
    data = get(client, poll_url(coverage, first.pk)).json()
    assert data["state"] == "live" and data["poll_seconds"] == LIVE_POLL_SECONDS
    assert data["latest"] == third.pk
    assert [entry["id"] for entry in data["entries"]] == [third.pk, second.pk]
    assert data["entries"][1]["pinned"] and "Key event" in data["entries"][1]["html"]
    assert "The first amendment passes." in data["entries"][1]["key_event_html"]
    assert data["entries"][0]["key_event_html"] is None
    assert get(client, poll_url(coverage, third.pk)).json()["entries"] == []
    assert len(get(client, poll_url(coverage)).json()["entries"]) == 3


def test_the_poll_is_cached_for_every_reader_and_purged_when_an_entry_is_added(client, coverage):
    url = poll_url(coverage, coverage.live_entries.order_by("-pk").first().pk)
    assert get(client, url)["X-Cache"] == "MISS"
    cached = get(client, url)
    assert cached["X-Cache"] == "HIT"
    control = cached["Cache-Control"]
    assert "public" in control and f"max-age={LIVE_POLL_SECONDS - 1}" in control
    assert "s-maxage=" in control
    get(client, coverage.url)
    assert get(client, coverage.url)["X-Cache"] == "HIT"

    entry = add_entry(coverage, "<p>The vote is called.</p>", pinned=True)
    fresh = get(client, url)
    assert fresh["X-Cache"] == "MISS"
    assert [item["id"] for item in fresh.json()["entries"]] == [entry.pk]
    page = get(client, coverage.url)
    assert page["X-Cache"] == "MISS" and "The vote is called." in page.content.decode()


def test_a_draft_entry_is_not_shown_until_published(client, coverage):
    article = ArticlePage.objects.get(pk=coverage.pk)
    article.live_entries.add(LiveEntry(text="<p>Not yet.</p>"))
    article.save_revision()
    assert "Not yet." not in get(client, coverage.url).content.decode()
    assert "Not yet." not in get(client, poll_url(coverage)).content.decode()


@pytest.mark.parametrize(
    "after",
    [
        "",
        "-1",
        "abc",
        "1.5",
        "1e3",
        "9" * 19,
        "%00",
        "<script>alert(1)</script>",
        "1' OR '1'='1",
        "١٢",
    ],
)
def test_a_bad_after_is_a_clear_400_never_kept(client, coverage, after):
    response = get(client, f"/live/{coverage.pk}/entries", status=400, data={"after": after})
    assert response.json() == {
        "error": "`after` must be the id of an entry: a whole number, 0 for all."
    }
    assert response["X-Cache"] == "MISS"
    assert "<script>" not in response.content.decode()


def test_no_poll_for_a_draft_a_future_or_a_missing_article(client, paper):
    draft = paper.article(title="Not out", live_coverage=ArticlePage.LIVE_RUNNING, live=False)
    future = paper.article(
        title="Later", live_coverage="live", date=timezone.now() + timedelta(days=1)
    )
    for article in (draft, future):
        assert get(client, poll_url(article), status=404).json() == {
            "error": "There is no live coverage here."
        }
    get(client, "/live/999999/entries?after=0", status=404)
    assert client.post(poll_url(future)).status_code == 405


def test_it_ends_with_a_summary_and_the_poll_says_so(client, coverage):
    url = poll_url(coverage, coverage.live_entries.order_by("-pk").first().pk)
    assert get(client, url).json()["state"] == "live"
    article = ArticlePage.objects.get(pk=coverage.pk)
    article.live_coverage = ArticlePage.LIVE_ENDED
    article.live_summary = "<p>The budget passed, 33 votes to 22.</p>"
    article.save_revision().publish()
    article.refresh_from_db()
    assert article.live_ended_at is not None

    data = get(client, url).json()
    assert data["state"] == "ended" and data["poll_seconds"] is None
    assert "The budget passed, 33 votes to 22." in data["summary_html"]
    html = get(client, coverage.url).content.decode()
    assert "Live coverage has ended" in html and "live__badge" not in html
    assert html.index("The budget passed") < html.index('class="live__entries"')
    assert "masthead/live.js" not in html


def structured(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    items = []
    for block in blocks:
        data = json.loads(block)
        items += data if isinstance(data, list) else [data]
    return items


def test_structured_data_is_a_live_blog_posting_with_its_updates(client, coverage):
    html = get(client, coverage.url).content.decode()
    [posting] = [item for item in structured(html) if item.get("@type") == "LiveBlogPosting"]
    assert not [item for item in structured(html) if item.get("@type") == "NewsArticle"]
    entries = list(coverage.live_entries.order_by("-at"))
    assert posting["headline"] == "Budget vote, live"
    assert posting["coverageStartTime"] == coverage.date.isoformat()
    assert "coverageEndTime" not in posting
    assert [update["headline"] for update in posting["liveBlogUpdate"]] == [
        "A break for lunch.",
        "The first amendment passes.",
        "The session opens.",
    ]
    assert posting["liveBlogUpdate"][0]["@type"] == "BlogPosting"
    assert posting["liveBlogUpdate"][0]["datePublished"] == entries[0].at.isoformat()
    assert posting["liveBlogUpdate"][0]["url"].endswith(f"{coverage.url}#entry-{entries[0].pk}")

    article = ArticlePage.objects.get(pk=coverage.pk)
    article.live_coverage = ArticlePage.LIVE_ENDED
    article.save_revision().publish()
    article.refresh_from_db()
    html = get(client, coverage.url).content.decode()
    [posting] = [item for item in structured(html) if item.get("@type") == "LiveBlogPosting"]
    assert posting["coverageEndTime"] == article.live_ended_at.isoformat()


def test_a_hostile_entry_is_sanitised_in_the_page_the_poll_and_the_structured_data(
    client, coverage
):
    add_entry(coverage, '<p>Hi</p><script>alert(1)</script><img src=x onerror="alert(2)">')
    html = get(client, coverage.url).content.decode()
    assert "<script>alert(1)" not in html and "onerror" not in html
    assert "<p>Hi</p>alert(1)</div>" in html  # the script's text is left, as text
    data = get(client, poll_url(coverage)).content.decode()
    assert "<script>" not in data and "onerror" not in data
    for item in structured(html):
        json.dumps(item)  # parsed back whole: the entry did not break out of its script


def test_feeds_mark_running_coverage_live(client, coverage, paper):
    paper.article(title="Not live")
    atom = feedparser.parse(get(client, "/feeds/atom/").content)
    terms = {entry.title: [tag.term for tag in entry.get("tags", [])] for entry in atom.entries}
    assert "Live" in terms["Budget vote, live"] and "Live" not in terms["Not live"]
    rss = feedparser.parse(get(client, "/feeds/rss/").content)
    [item] = [entry for entry in rss.entries if entry.title == "Budget vote, live"]
    assert "Live" in [tag.term for tag in item.tags]
    items = {item["title"]: item for item in get(client, "/feeds/json/").json()["items"]}
    assert items["Budget vote, live"]["_masthead"] == {"live_coverage": "live"}
    assert "Live" in items["Budget vote, live"]["tags"]
    assert "_masthead" not in items["Not live"]


@pytest.fixture
def editor(client):
    user = get_user_model().objects.create_superuser("desk", "desk@example.org", "pw-desk-123")
    client.force_login(user)
    return user


def test_the_editor_sees_live_coverage_in_the_article_form(client, coverage, editor):
    html = get(client, f"/admin/pages/{coverage.pk}/edit/").content.decode()
    assert "Live coverage" in html and "Entries, newest first" in html
    assert "The first amendment passes." in html


def test_an_entry_without_a_time_takes_the_time_it_is_published(client, coverage):
    article = ArticlePage.objects.get(pk=coverage.pk)
    article.live_entries.add(LiveEntry(text="<p>Left without a time.</p>"))
    article.save_revision()
    before = timezone.now()
    article.get_latest_revision().publish()
    entry = LiveEntry.objects.get(page_id=coverage.pk, text="<p>Left without a time.</p>")
    assert entry.at >= before
    html = get(client, coverage.url).content.decode()
    assert entries_shown(html)[0] == str(entry.pk)

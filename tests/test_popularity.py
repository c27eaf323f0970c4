"""Most read, counted by Masthead: the beacon's endpoint, the counts per hour, the blocks that
show them (fresh within their ten minutes) and the chart on the editor's dashboard."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from masthead.caching.store import collecting
from masthead.popularity.fragments import MOST_READ_REFRESH, most_read_block
from masthead.popularity.models import ArticleViews, count_view, most_read, this_hour

pytestmark = pytest.mark.django_db

BEACON = "/most-read/views/"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def send(client, body, agent=FIREFOX, **extra):
    return client.post(BEACON, data=body, content_type="text/plain", HTTP_USER_AGENT=agent, **extra)


def views(article):
    return sum(ArticleViews.objects.filter(article=article).values_list("count", flat=True))


def titles_in(html, block_id):
    block = html.split(f'id="{block_id}"')[1].split("</section>")[0]
    return re.findall(r'<li><a href="[^"]+">([^<]+)</a>', block)


@pytest.fixture
def story(paper):
    return paper.article(title="Harbour reopens")


def test_a_view_is_counted_with_no_cookie_and_nothing_of_the_reader_kept(client, story):
    client.cookies.clear()
    response = send(client, str(story.pk), REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 204
    assert "Set-Cookie" not in response.headers
    assert not response.cookies
    assert "no-cache" in response["Cache-Control"]
    assert send(client, f" {story.pk}\n").status_code == 204
    assert views(story) == 2

    # The article, the hour and the count: no address, agent, session or time to the second.
    fields = {field.name for field in ArticleViews._meta.concrete_fields}
    assert fields == {"id", "article", "hour", "count"}
    row = ArticleViews.objects.get()
    assert row.hour == this_hour()
    assert "203.0.113.9" not in str(list(ArticleViews.objects.values_list()))


def test_the_beacon_needs_no_csrf_token(story):
    client = Client(enforce_csrf_checks=True)
    assert send(client, str(story.pk)).status_code == 204
    assert views(story) == 1


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "facebookexternalhit/1.1",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/120.0 Safari/537.36",
        "curl/8.5.0",
        "python-requests/2.32",
        "",
    ],
)
def test_crawlers_are_answered_and_not_counted(client, story, agent):
    assert send(client, str(story.pk), agent=agent).status_code == 204
    assert not ArticleViews.objects.exists()


def test_only_a_post_counts(client, story):
    assert client.get(BEACON, HTTP_USER_AGENT=FIREFOX).status_code == 405
    assert client.head(BEACON, HTTP_USER_AGENT=FIREFOX).status_code == 405
    assert client.put(BEACON, str(story.pk), HTTP_USER_AGENT=FIREFOX).status_code == 405
    assert not ArticleViews.objects.exists()


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("", 400),
        ("abc", 400),
        ("-5", 400),
        ("1.5", 400),
        ("<script>alert(1)</script>", 413),
        ("1 OR 1=1", 400),
        ("1;DROP", 400),
        ("99999999999", 400),
        (b"\xff\xfe\x00", 400),
        ('{"id": 1}', 400),
        ("x" * 1_000_000, 413),
        ("424242", 404),
    ],
)
def test_bad_bodies_get_a_clear_answer_and_count_nothing(client, story, body, status):
    response = send(client, body)
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/plain")
    assert not ArticleViews.objects.exists()


def test_an_article_not_published_is_not_counted(client, paper):
    future = paper.article(title="Embargoed", date=timezone.now() + timedelta(days=1))
    draft = paper.article(title="Taken down")
    draft.unpublish()
    for article in (future, draft):
        assert send(client, str(article.pk)).status_code == 404
    assert not ArticleViews.objects.exists()


def test_one_address_is_counted_at_most_at_its_rate(client, story, settings):
    settings.VIEW_COUNT_RATE = "3/60"
    statuses = [send(client, str(story.pk)).status_code for _ in range(5)]
    assert statuses == [204, 204, 204, 429, 429]
    assert views(story) == 3
    other = send(client, str(story.pk), REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 204


def test_counts_are_kept_per_hour_and_summed_over_the_last_day(paper):
    first, second, old = (paper.article(title=title) for title in ("First", "Second", "Old"))
    now = timezone.now().replace(minute=30)
    hour = this_hour(now)
    for moment in (hour + timedelta(minutes=5), hour + timedelta(minutes=55)):
        count_view(first.pk, moment)
    for minutes in (-50, -10, 0, 10):
        count_view(second.pk, hour + timedelta(minutes=minutes))
    count_view(old.pk, hour - timedelta(hours=30))
    assert sorted(ArticleViews.objects.filter(article=second).values_list("hour", "count")) == [
        (hour - timedelta(hours=1), 2),
        (hour, 2),
    ]
    assert ArticleViews.objects.get(article=first).count == 2
    with time_machine.travel(now):
        assert most_read(10) == [(second.pk, 4), (first.pk, 2)]
        assert most_read(10, within=paper.africa) == []


def test_the_most_read_block_is_fresh_within_its_window(client, paper):
    a = paper.article(title="Quiet story")
    b = paper.article(title="Story everyone reads")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        count_view(a.pk)
        assert titles_in(client.get("/").content.decode(), "most-read-title") == ["Quiet story"]
        for _ in range(3):
            count_view(b.pk)
    with time_machine.travel(start + MOST_READ_REFRESH - timedelta(seconds=5), tick=False):
        # the block is cached for its window: the page is not purged by every view
        assert titles_in(client.get("/").content.decode(), "most-read-title") == ["Quiet story"]
    with time_machine.travel(start + MOST_READ_REFRESH + timedelta(seconds=1), tick=False):
        html = client.get("/").content.decode()
        assert titles_in(html, "most-read-title") == ["Story everyone reads", "Quiet story"]


def test_a_section_shows_its_own_most_read(client, paper):
    inside = paper.article(section=paper.banking, title="Bank story")
    outside = paper.article(section=paper.africa, title="Africa story")
    for article in (inside, outside, outside):
        count_view(article.pk)
    response = client.get(paper.banking.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert titles_in(html, f"most-read-title-{paper.banking.pk}") == ["Bank story"]
    front_cache = client.get(paper.banking.url, HTTP_SURROGATE_CAPABILITY='x="ESI/1.0"')
    assert front_cache.status_code == 200
    assert f'<esi:include src="/_fragments/most-read-{paper.banking.pk}/"/>' in (
        front_cache.content.decode()
    )
    assert client.get("/_fragments/most-read-999999/").status_code == 404
    assert client.get("/_fragments/most-read-x/").status_code == 404


def test_the_dashboard_charts_most_read_with_a_table(client, paper):
    read = paper.article(title="Read <b>twice</b>")
    count_view(read.pk)
    count_view(read.pk)
    editor = get_user_model().objects.create_superuser("desk", "desk@example.org", "pw-desk-1")
    client.force_login(editor)
    response = client.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    panel = html.split('id="most-read-section"')[1].split("</section>")[0]
    assert "Most read in the last 24 hours" in panel
    assert "<svg" in panel and "<rect" in panel
    assert "Read &lt;b&gt;twice&lt;/b&gt;" in panel
    assert re.search(r"<td>\s*2\s*</td>", panel)


def block_queries():
    with CaptureQueriesContext(connection) as queries, collecting():
        most_read_block()
    return len(queries)


def test_the_most_read_block_costs_the_same_queries_however_many_were_read(paper):
    for article in [paper.article() for _ in range(2)]:
        count_view(article.pk)
    block_queries()  # what any first query of the process looks up once (content types)
    few = block_queries()
    for article in [paper.article(authors=paper.authors) for _ in range(12)]:
        count_view(article.pk)
    # the ranking, then the cards: articles, renditions, bylines, sections
    assert few == block_queries() == 5

"""Search: the results page, live search, the index following publishing, and bad input."""

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from masthead.articles.models import ArticlePage
from masthead.authors.models import Author
from masthead.search import backend

pytestmark = pytest.mark.django_db


def para(text):
    return [{"type": "paragraph", "value": f"<p>{text}</p>"}]


def titles(html):
    """Headlines of the results on a results page, in order."""
    return re.findall(r'class="search-result__title"><a href="[^"]+">(.*?)</a>', html)


def plain(text):
    return re.sub(r"</?mark>", "", text)


def search(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def live(client, q):
    response = client.get("/search/live/", {"q": q})
    assert response.status_code == 200, response.status_code
    return re.findall(r'<span class="live-search__title">(.*?)</span>', response.content.decode())


def found(client, q, **params):
    return [plain(title) for title in titles(search(client, q=q, **params))]


# Relevance


def test_a_headline_match_outranks_a_body_match_and_recent_articles_win_ties(client, paper):
    now = timezone.now()
    paper.article(
        title="Farmers count the cost",
        body=para("Cocoa prices fell. Cocoa exports, cocoa farms and cocoa traders."),
        date=now - timedelta(hours=1),
    )
    paper.article(title="Cocoa harvest", body=para("A short note."), date=now - timedelta(days=9))
    # Same words, different dates: the newer one first, although it was created first.
    paper.article(title="Bond yields rise", body=para("Plain."), date=now - timedelta(days=1))
    paper.article(title="Bond yields rise", body=para("Plain."), date=now - timedelta(days=5))

    assert found(client, "cocoa") == ["Cocoa harvest", "Farmers count the cost"]
    page = search(client, q="bond yields")
    results = page.split('class="search-results"')[1].split("</ol>")[0]
    dates = re.findall(r'<time datetime="([^"]+)">', results)
    assert len(dates) == 2 and dates[0] > dates[1]


def test_sort_by_newest(client, paper):
    now = timezone.now()
    paper.article(title="Grain prices", body=para("grain"), date=now - timedelta(days=3))
    paper.article(title="Old news", body=para("grain grain"), date=now - timedelta(days=1))
    assert found(client, "grain", sort="newest") == ["Old news", "Grain prices"]


def test_word_forms_match(client, paper):
    paper.article(title="New tariff on steel", body=para("Officials met."))
    paper.article(title="Votes counted", body=para("The election passed off calmly."))
    assert found(client, "tariffs") == ["New tariff on steel"]
    assert found(client, "elections") == ["Votes counted"]
    assert found(client, "Tariff") == ["New tariff on steel"]


def test_quoted_phrases_match_as_phrases(client, paper):
    paper.article(title="Central bank holds rates", body=para("Interest rates stay put."))
    paper.article(title="Rates of interest", body=para("Rates rose; interest grew."))
    assert sorted(found(client, "interest rates")) == [
        "Central bank holds rates",
        "Rates of interest",
    ]
    assert found(client, '"interest rates"') == ["Central bank holds rates"]
    assert found(client, '"interest rates" central') == ["Central bank holds rates"]


def test_results_show_highlighted_snippet_section_date_and_author(client, paper):
    article = paper.article(
        section=paper.africa,
        title="Harbour reopens",
        body=para("After the storm, the harbour in Tema reopened to container ships on Monday."),
    )
    page = search(client, q="container ships")
    result = page.split('<li class="search-result">')[1].split("</li>")[0]
    assert '<a class="kicker" href="/news/world/africa/">Africa</a>' in result
    assert f'href="{article.url}"' in result
    assert "<mark>container</mark> <mark>ships</mark>" in result
    assert "By Ama Mensah" in result
    assert f'<time datetime="{article.date.isoformat()}">' in result
    assert '<meta name="robots" content="noindex">' in page
    assert 'value="container ships"' in page  # the query stays in the box


def test_authors_tags_and_sections_that_match(client, paper):
    paper.article(title="Markets close higher", tags=["Banking reform"])
    page = search(client, q="banking")
    assert (
        'href="/economics/finance/banking/">Banking</a>'
        in page.split('id="search-sections-title"')[1]
    )
    assert '<a href="/tags/banking-reform/" rel="tag">Banking reform</a>' in page
    page = search(client, q="mensah")
    assert (
        '<a href="/authors/ama-mensah/">Ama Mensah</a>'
        in page.split('id="search-authors-title"')[1]
    )
    assert "No articles match" in page


def test_tags_of_unpublished_articles_are_not_offered(client, paper):
    paper.article(title="Port news", tags=["Harbour dues"])
    paper.article(title="Embargoed", tags=["Harbour fees"], date=timezone.now() + timedelta(days=1))
    paper.article(title="Draft", tags=["Harbour pilots"]).unpublish()
    page = search(client, q="harbour")
    assert '<a href="/tags/harbour-dues/" rel="tag">Harbour dues</a>' in page
    assert "Harbour fees" not in page and "Harbour pilots" not in page


# Filters and pages


def test_filter_by_section_and_dates(client, paper):
    now = timezone.now()
    paper.article(section=paper.africa, title="Gold output in Ghana", date=now - timedelta(days=40))
    paper.article(section=paper.banking, title="Gold reserves grow", date=now - timedelta(days=2))
    paper.article(section=paper.finance, title="Gold funds", date=now - timedelta(days=10))

    assert found(client, "gold", section=paper.economics.pk, sort="newest") == [
        "Gold reserves grow",
        "Gold funds",
    ]
    assert found(client, "gold", section=paper.news.pk) == ["Gold output in Ghana"]
    since = (now - timedelta(days=15)).date().isoformat()
    until = (now - timedelta(days=5)).date().isoformat()
    assert found(client, "gold", **{"from": since, "to": until}) == ["Gold funds"]
    # Swapped dates are put right.
    page = search(client, q="gold", **{"from": until, "to": since})
    assert [plain(t) for t in titles(page)] == ["Gold funds"] and "swapped" in page


def test_pagination_keeps_the_query_and_filters(client, paper):
    for number in range(23):
        paper.article(title=f"Fishing report {number}")
    page = search(client, q="fishing", sort="newest")
    assert len(titles(page)) == 20 and "23 articles" in page
    assert 'href="?q=fishing&amp;sort=newest&amp;page=2"' in page
    second = search(client, q="fishing", sort="newest", page=2)
    assert [plain(t) for t in titles(second)] == [f"Fishing report {n}" for n in (20, 21, 22)]
    # Matching authors, tags and sections are on the first page only: no section list after.
    assert 'id="search-sections-title"' not in second


def test_bad_page_numbers_get_a_page_and_a_note(client, paper):
    for number in range(21):
        paper.article(title=f"Fishing report {number}")
    for page, shown, note in [
        ("abc", 1, "“abc” is not a page number"),
        ("-1", 1, "Pages are numbered from 1"),
        ("0", 1, "Pages are numbered from 1"),
        ("99999", 2, "There are only 2 pages of results"),
        ("1.5", 1, "is not a page number"),
        ("", 1, None),
    ]:
        html = search(client, q="fishing", page=page)
        assert f"Page {shown} of 2" in html, page
        assert note is None or note in html, page


def test_unknown_filters_are_dropped_with_a_note(client, paper):
    paper.article(title="Fishing report")
    for params, note in [
        ({"section": "999999"}, "That section does not exist"),
        ({"section": "news"}, "That section does not exist"),
        ({"sort": "popular"}, "sorted by relevance or by date only"),
        ({"from": "yesterday"}, "The start date could not be read"),
        ({"to": "2025-13-45"}, "The end date could not be read"),
        ({"from": "0001-01-01"}, "The start date could not be read"),
        ({"colour": "red"}, "Search has no filter called “colour”"),
        ({"section": ["1", "x"]}, "That section does not exist"),
    ]:
        html = search(client, q="fishing", **params)
        assert note in html, params
        assert titles(html) == ["<mark>Fishing</mark> report"], params


# Bad input: never a 500, always a page that says something.

BAD_QUERIES = [
    '"',
    '""',
    '"unclosed phrase',
    "(",
    ")",
    "(fishing",
    "*",
    "fish*",
    "-",
    "-fishing",
    ":",
    "title:fishing",
    "^",
    "^fishing",
    "NEAR",
    "fishing NEAR report",
    "NEAR(fishing report)",
    "AND",
    "OR",
    "NOT",
    "fishing AND",
    "NOT fishing",
    "fishing OR report",
    "'",
    "fishing's",
    "\\",
    "%",
    "_",
    "{title}: fishing",
    "a & b | !c <-> d",
    "fishing:*",
    "!!!???...",
    "🎣🐟",
    "🎣 fishing",
    "صيد السمك",
    "דיג",
    "\x00fishing",
    "ｆｉｓｈｉｎｇ",
    "x" * 5000,
    "fishing " * 1000,
]


@pytest.mark.parametrize("q", BAD_QUERIES)
def test_bad_queries_get_a_page_never_an_error(client, paper, q):
    paper.article(title="Fishing report", body=para("صيد السمك في الخليج"))
    html = search(client, q=q)
    assert "<h1>Search</h1>" in html
    assert (
        "articles for" in html
        or "article for" in html
        or "No articles match" in html
        or ("no letters or numbers" in html)
    )
    assert client.get("/search/live/", {"q": q}).status_code == 200


def test_fts_syntax_is_searched_as_words(client, paper):
    paper.article(title="Fishing report")
    assert found(client, "fishing*") == ["Fishing report"]
    assert found(client, "(fishing)") == ["Fishing report"]
    assert found(client, "fishing:report") == ["Fishing report"]
    assert found(client, "fishing AND report") == ["Fishing report"]
    assert found(client, "ｆｉｓｈｉｎｇ") == ["Fishing report"]


def test_empty_long_punctuation_emoji_and_right_to_left_queries(client, paper):
    paper.article(title="صيد السمك في الخليج")
    assert "Type a word or two" in search(client, q="")
    assert "Type a word or two" in search(client, q="   ")
    assert "no letters or numbers" in search(client, q="!!! ???")
    assert "no letters or numbers" in search(client, q="🎣🐟")
    assert "only its first 200 characters" in search(client, q="fishing " * 700)
    html = search(client, q="السمك")
    assert [plain(t) for t in titles(html)] == ["صيد السمك في الخليج"]
    assert 'value="السمك" dir="auto"' in html
    assert "Type a word" not in search(client)  # a first visit gets no complaint


# Live search


def test_live_search_matches_prefixes_and_lists_at_most_five(client, paper):
    paper.article(title="Mark Rutte visits Tokyo")
    paper.article(title="Elections in Ghana")
    for number in range(7):
        paper.article(title=f"Harvest update {number}")
    assert live(client, "rut") == ["Mark Rutte visits Tokyo"]
    for prefix in ["ele", "elect", "electi", "electio", "election", "elections"]:
        assert live(client, prefix) == ["Elections in Ghana"], prefix
    assert len(live(client, "harv")) == 5
    response = client.get("/search/live/", {"q": "harv"})
    assert 'data-href="/search/?q=harv">View all results</li>' in response.content.decode()
    assert live(client, "zzzz") == []
    assert client.get("/search/live/", {"q": "zzzz"}).content.strip() == b""
    assert live(client, "h") == []  # live search starts at two characters


@pytest.mark.parametrize("walk", [False, True], ids=["joined", "walked"])
def test_live_search_lists_the_newest_matches_first(client, paper, monkeypatch, walk):
    """However many articles a prefix matches, live search shows the five newest, whatever
    the order they were indexed in. `walk` makes the backend take the path it takes on a large
    paper: walking the newest articles instead of joining every match."""
    if walk:
        monkeypatch.setattr(backend, "DENSE_MATCHES", 3)  # SQLite: a 'common' prefix
        monkeypatch.setattr(backend, "NEWEST_WINDOW", 6)  # PostgreSQL: the newest six first
    now = timezone.now()
    titles = {
        0: "Bakers strike",
        1: "Bank rates hold",
        2: "Bakery prices",
        3: "Ferry resumes",
        4: "Bakers vote",
        5: "Ballot counted",
        6: "Ferry delayed",
        7: "Bakers zebra parade",
        8: "Zebra crossing",
        9: "Bakers zebra fund",
    }
    for age in [5, 9, 0, 3, 7, 1, 8, 2, 6, 4]:  # indexed in no particular order
        paper.article(title=titles[age], date=now - timedelta(hours=age))
    newest = [titles[age] for age in [0, 1, 2, 4, 5]]
    assert live(client, "ba") == newest  # among the six newest articles
    assert live(client, "bake") == [titles[age] for age in [0, 2, 4, 7, 9]]  # past them
    assert live(client, "zeb") == [titles[age] for age in [7, 8, 9]]  # none among them
    assert live(client, "ferr") == [titles[age] for age in [3, 6]]


def test_live_search_falls_back_to_the_body(client, paper):
    paper.article(title="Allies meet", body=para("Mark Rutte spoke first."))
    assert live(client, "rutte") == ["Allies meet"]


def test_live_search_is_rate_limited_per_client(client, paper, settings):
    settings.SEARCH_LIVE_RATE = "3/60"
    # Different words each time: an answer the page cache holds costs nothing and is not counted.
    for word in ("ab", "ac", "ad"):
        assert client.get("/search/live/", {"q": word}).status_code == 200
    response = client.get("/search/live/", {"q": "ae"})
    assert response.status_code == 429 and response["Retry-After"] == "60"
    other = client.get("/search/live/", {"q": "af"}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


# The index follows publishing


def test_index_follows_publish_edit_unpublish_and_delete(client, paper):
    article = paper.article(title="Draft headline")
    assert found(client, "draft") == ["Draft headline"]

    article.title = "Ferry service resumes"
    article.save_revision().publish()
    assert found(client, "draft") == []
    assert found(client, "ferry") == ["Ferry service resumes"]

    article.tags.add("Transport")
    article.save_revision().publish()
    assert found(client, "transport") == ["Ferry service resumes"]

    article.unpublish()
    assert found(client, "ferry") == []
    assert live(client, "ferr") == []

    article.save_revision().publish()
    assert found(client, "ferry") == ["Ferry service resumes"]
    article.delete()
    assert found(client, "ferry") == []


def test_future_and_unpublished_articles_never_appear(client, paper):
    paper.article(title="Embargoed budget", date=timezone.now() + timedelta(hours=3))
    draft = paper.article(title="Budget draft")
    draft.unpublish()
    paper.article(title="Budget passes")
    assert found(client, "budget") == ["Budget passes"]
    assert live(client, "budg") == ["Budget passes"]


def test_a_new_author_is_found_at_once(client, paper):
    Author.objects.create(name="Kofi Annan-Boateng", slug="kofi")
    assert "Kofi Annan-Boateng" in search(client, q="boateng")


def test_update_index_rebuilds_with_a_progress_bar(client, paper):
    paper.article(title="Rebuilt headline")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM wagtailsearch_indexentry")
    assert found(client, "rebuilt") == []
    out = StringIO()
    call_command("update_index", stdout=out)
    assert found(client, "rebuilt") == ["Rebuilt headline"]
    assert "100%" in out.getvalue() and "articles.ArticlePage" in out.getvalue()


# Query counts


def test_results_page_runs_a_fixed_number_of_queries(
    uncached, client, paper, django_assert_num_queries
):
    for number in range(3):
        paper.article(title=f"Weather report {number}", authors=paper.authors, tags=["Weather"])
    search(client, q="weather")  # warm the caches of sites and content types
    with CaptureQueriesContext(connection) as few:
        search(client, q="weather")
    expected = len(few)  # now: the log of queries is a ring that making articles can roll over
    for number in range(12):
        paper.article(title=f"Weather report {number}", authors=paper.authors, tags=["Weather"])
    search(client, q="weather")  # publishing purged the cached recent news: built again here
    with django_assert_num_queries(expected):
        search(client, q="weather")


def test_live_search_runs_a_fixed_number_of_queries(
    uncached, client, paper, django_assert_num_queries
):
    paper.article(title="Weather report")
    client.get("/search/live/", {"q": "weath"})
    with CaptureQueriesContext(connection) as few:
        client.get("/search/live/", {"q": "weath"})
    expected = len(few)
    for number in range(8):
        paper.article(title=f"Weather report {number}")
    client.get("/search/live/", {"q": "weath"})
    with django_assert_num_queries(expected):
        assert len(live(client, "weath")) == 5
    assert ArticlePage.objects.count() == 9


def test_opensearch_is_switched_on_by_the_environment(tmp_path):
    script = (
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.WAGTAILSEARCH_BACKENDS['default']))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEARCH_")}
    env.update(DJANGO_SETTINGS_MODULE="masthead.settings", MASTHEAD_DATA_DIR=str(tmp_path))

    def backend(**extra):
        result = subprocess.run(
            [sys.executable, "-c", script], env={**env, **extra}, capture_output=True, text=True
        )
        return json.loads(result.stdout)

    assert backend()["BACKEND"] == "masthead.search.backend"
    assert backend(SEARCH_URL="https://a.example:9200,https://b.example:9200") == {
        "BACKEND": "wagtail.search.backends.opensearch3",
        "URLS": ["https://a.example:9200", "https://b.example:9200"],
        "INDEX": "masthead",
        "TIMEOUT": 5,
    }
    switched = backend(
        SEARCH_URL="http://127.0.0.1:9200",
        SEARCH_BACKEND="wagtail.search.backends.elasticsearch8",
        SEARCH_INDEX="paper",
    )
    assert switched["BACKEND"] == "wagtail.search.backends.elasticsearch8"
    assert switched["INDEX"] == "paper"

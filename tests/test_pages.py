import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Page

from masthead.articles.models import ArticlePage
from masthead.caching.store import forget_found_fresh
from masthead.navigation.models import LinkPage, NavigationSettings, UtilityLink
from masthead.pages.models import ContactPage, StandardPage
from tests.conftest import make_section
from tests.jobs_fixtures import JobsBoard

pytestmark = pytest.mark.django_db


def html(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_every_page_type_renders(client, paper):
    article = paper.article(title="Central bank holds rates", tags=["Interest rates"])
    about = StandardPage(title="About", body=[{"type": "paragraph", "value": "<p>Who we are.</p>"}])
    paper.home.add_child(instance=about)
    paper.top_stories.stories.create(article=article)
    paper.top_stories.save()

    assert "Central bank holds rates" in html(client.get("/"))
    assert "Central bank holds rates" in html(client.get(paper.banking.url))
    page = html(client.get(article.url))
    assert '<h1 class="article__headline">Central bank holds rates</h1>' in page
    assert "Central bank holds rates" in html(client.get("/authors/ama-mensah/"))
    assert "Central bank holds rates" in html(client.get("/tags/interest-rates/"))
    assert "Central bank holds rates" in html(client.get(paper.top_stories.url))
    assert "Who we are." in html(client.get(about.url))


@pytest.mark.parametrize(
    "path",
    [
        "/no-such-page/",
        "/economics/no-such/",
        "/authors/nobody/",
        "/tags/nothing/",
        "/economics/finance/banking/x/y/",
    ],
)
def test_unknown_paths_answer_404_in_the_site_design(client, paper, path):
    response = client.get(path)
    assert response.status_code == 404
    body = response.content.decode()
    assert "We couldn’t find that page" in body
    assert 'class="main-nav"' in body


def test_every_page_names_its_icon_so_browsers_do_not_ask_for_a_missing_favicon(client, paper):
    from django.contrib.staticfiles import finders

    for path in ("/", "/no-such-page/"):
        body = client.get(path).content.decode()
        assert '<link rel="icon" href="/static/masthead/icon.svg" type="image/svg+xml">' in body
    assert finders.find("masthead/icon.svg") is not None


def test_article_page_shows_every_part(client, paper):
    article = paper.article(
        title="Ports reopen after storm",
        authors=paper.authors,
        tags=["Shipping", "Weather"],
        lead_image_credit="Harbour Agency",
    )
    page = html(client.get(article.url))
    assert page.count("<h1") == 1
    assert '<a rel="author" href="/authors/ama-mensah/">Ama Mensah</a> and' in page
    assert '<a rel="author" href="/authors/jonas-berg/">Jonas Berg</a>' in page
    assert f'<time datetime="{article.date:%Y-%m-%dT%H:%M:%S%z}">' in page
    assert 'in <a href="/economics/finance/banking/">Banking</a>' in page
    assert '<figure class="article__lead">' in page
    assert '<span class="caption">A caption for the lead picture</span>' in page
    assert '<span class="credit">Harbour Agency</span>' in page
    assert '<h2 class="body-subheading">A subheading</h2>' in page
    assert "<blockquote><p>Words worth quoting.</p></blockquote>" in page
    assert "<figcaption>A Source</figcaption>" in page
    assert '<a href="/tags/shipping/" rel="tag">Shipping</a>' in page
    assert re.search(r'<img alt="Harbour at dawn, a plain coloured picture"[^>]* srcset="', page)


def test_every_image_has_alt_text_width_and_height(client, paper):
    article = paper.article(
        body=[
            {"type": "paragraph", "value": "<p>Before.</p>"},
            {
                "type": "image",
                "value": {"image": paper.image.pk, "caption": "In the body", "credit": ""},
            },
        ]
    )
    for path in ["/", article.url, paper.banking.url, "/authors/ama-mensah/"]:
        for tag in re.findall(r"<img [^>]*>", html(client.get(path))):
            assert re.search(r'\balt="', tag), tag
            assert re.search(r'\bwidth="\d+"', tag) and re.search(r'\bheight="\d+"', tag), tag


def test_body_images_below_the_fold_load_lazily(client, paper):
    article = paper.article(
        body=[
            {"type": "image", "value": {"image": paper.image.pk, "caption": "Late", "credit": ""}}
        ]
    )
    page = html(client.get(article.url))
    body = page.split('<div class="article__body">')[1]
    assert 'loading="lazy"' in body.split("</figure>")[0]
    lead = page.split('<figure class="article__lead">')[1].split("</figure>")[0]
    assert 'loading="lazy"' not in lead


def test_read_also_and_embed_blocks(client, paper):
    older = paper.article(title="The earlier report")
    article = paper.article(
        body=[
            {"type": "paragraph", "value": "<p>Text.</p>"},
            {"type": "read_also", "value": {"article": older.pk, "label": "Read also"}},
            {
                "type": "embed",
                "value": {"embed": "https://unreachable.invalid/video/1", "caption": "The clip"},
            },
        ]
    )
    page = html(client.get(article.url))
    assert f'<strong>Read also:</strong> <a href="{older.url}">The earlier report</a>' in page
    # An embed that cannot be fetched falls back to a plain link, never a broken frame.
    assert '<a href="https://unreachable.invalid/video/1" rel="noopener">The clip</a>' in page


def test_read_also_links_only_to_a_published_article_at_no_query_per_block(uncached, client, paper):
    older = paper.article(title="The earlier report")
    later = paper.article(title="Tomorrow's report", date=timezone.now() + timedelta(hours=1))
    draft = paper.article(title="The draft report")
    draft.unpublish()

    def read_also(*chosen):
        return [{"type": "read_also", "value": {"article": c.pk, "label": ""}} for c in chosen]

    article = paper.article(body=read_also(older, later, draft))
    page = html(client.get(article.url))
    assert page.count('class="read-also"') == 1
    assert f'<strong>Read also:</strong> <a href="{older.url}">The earlier report</a>' in page
    assert "Tomorrow" not in page.split('class="article__body')[1].split("</article>")[0]
    assert "The draft report" not in page
    assert client.get(later.url).status_code == 404

    one = paper.article(body=read_also(older))
    three = paper.article(body=read_also(older, paper.article(), paper.article()))
    html(client.get(one.url))  # the first page makes the card pictures' renditions
    html(client.get(three.url))
    cache.clear()  # each article's content is then built again, its blocks with it
    forget_found_fresh()
    with CaptureQueriesContext(connection) as with_one:
        html(client.get(one.url))
    cache.clear()
    forget_found_fresh()
    with CaptureQueriesContext(connection) as with_three:
        assert html(client.get(three.url)).count('class="read-also"') == 3
    assert len(with_three) == len(with_one)


def test_inline_related_block_follows_the_third_paragraph_and_can_be_turned_off(client, paper):
    paper.article(title="Neighbour story", tags=["Banks"])
    article = paper.article(tags=["Banks"])
    page = html(client.get(article.url))
    before, after = page.split('<aside class="inline-related"')
    assert before.split('<div class="article__body">')[1].count("<p>") == 3
    assert "Neighbour story" in after.split("</aside>")[0]

    article.show_inline_related = False
    article.save_revision().publish()
    page = html(client.get(article.url))
    assert "inline-related" not in page
    assert "Neighbour story" in page.split('id="related-title"')[1]


def test_related_articles_share_tags_first_then_section_newest_first_never_itself(paper):
    now = timezone.now()
    article = paper.article(tags=["A", "B", "C"], date=now - timedelta(days=1))
    two_tags_old = paper.article(
        section=paper.africa, tags=["A", "B"], date=now - timedelta(days=30)
    )
    one_tag_new = paper.article(section=paper.africa, tags=["C"], date=now - timedelta(days=2))
    one_tag_old = paper.article(section=paper.africa, tags=["A"], date=now - timedelta(days=20))
    same_section_new = paper.article(date=now - timedelta(days=3))
    same_section_old = paper.article(date=now - timedelta(days=40))
    paper.article(section=paper.africa, title="Unrelated")
    paper.article(tags=["A"], date=now + timedelta(days=1), title="Future")
    hidden = paper.article(tags=["A", "B", "C"])
    hidden.unpublish()

    related = article.related_articles(list(article.tags.all()))
    assert related == [two_tags_old, one_tag_new, one_tag_old, same_section_new, same_section_old]
    assert related[0].section.specific == paper.africa


def test_related_articles_are_capped(paper):
    article = paper.article(tags=["A"])
    for _ in range(12):
        paper.article(tags=["A"])
    assert len(article.related_articles(list(article.tags.all()), count=9)) == 9


def test_previous_and_next_at_the_ends(client, paper):
    now = timezone.now()
    first = paper.article(title="First", date=now - timedelta(days=3))
    middle = paper.article(title="Middle", date=now - timedelta(days=2), section=paper.africa)
    last = paper.article(title="Last", date=now - timedelta(days=1))
    paper.article(title="Not yet", date=now + timedelta(days=1))

    assert (first.previous_article(), first.next_article()) == (None, middle)
    assert (middle.previous_article(), middle.next_article()) == (first, last)
    assert (last.previous_article(), last.next_article()) == (middle, None)
    page = html(client.get(first.url))
    assert 'rel="prev"' not in page.split('class="prev-next"')[1]
    assert "Not yet" not in html(client.get(last.url))


def test_previous_and_next_order_articles_with_the_same_date(paper):
    date = timezone.now() - timedelta(hours=1)
    a, b, c = (paper.article(date=date) for _ in range(3))
    assert (b.previous_article(), b.next_article()) == (a, c)


def test_section_lists_its_own_and_subsections_articles_newest_first(client, paper):
    now = timezone.now()
    in_finance = paper.article(
        section=paper.finance, title="Finance item", date=now - timedelta(days=2)
    )
    in_banking = paper.article(title="Banking item", date=now - timedelta(days=1))
    paper.article(section=paper.africa, title="Africa item")

    response = client.get(paper.economics.url)
    # Evaluated once in the view: the template only tests and loops over lists.
    assert response.context["subsections"] == [paper.finance]
    assert response.context["breadcrumbs"] == []
    page = html(response)
    assert f'<li><a href="{paper.finance.url}">Finance</a></li>' in page
    assert page.index("Banking item") < page.index("Finance item")
    banking = client.get(paper.banking.url)
    assert (banking.context["subsections"], banking.context["breadcrumbs"]) == (
        [],
        [paper.economics.page_ptr, paper.finance.page_ptr],
    )
    assert 'class="subsections"' not in html(banking)
    assert "Africa item" not in page.split("<main")[1].split("</main>")[0]
    assert (
        in_finance.title
        not in html(client.get(paper.banking.url)).split("<main")[1].split("</main>")[0]
    )
    assert in_banking.title in html(client.get(paper.finance.url))


def test_section_pagination_edges_and_bad_page_numbers(client, paper):
    for _ in range(21):
        paper.article()
    first = html(client.get(paper.banking.url))
    assert "Page 1 of 2" in first and 'rel="next" href="?page=2"' in first
    second = html(client.get(paper.banking.url + "?page=2"))
    assert second.count('class="card card--row"') == 1 and 'rel="prev" href="?page=1"' in second
    # A listing has no page but those it numbers: anything else is 404, an empty one too.
    bad = ["0", "3", "-1", "abc", "99999", "1.5", "", "%00", "<script>"]
    answers = {page: client.get(paper.banking.url, {"page": page}).status_code for page in bad}
    assert answers == dict.fromkeys(bad, 404)
    for path in ["/tags/x/", "/authors/ama-mensah/"]:
        assert client.get(path, {"page": "abc"}).status_code == 404


def test_unpublished_and_future_articles_never_show(client, paper):
    visible = paper.article(title="Visible story", tags=["Shared"])
    draft = paper.article(title="Draft story", tags=["Shared"])
    draft.unpublish()
    future = paper.article(
        title="Embargoed story", tags=["Shared"], date=timezone.now() + timedelta(hours=2)
    )
    paper.top_stories.stories.create(article=future)
    paper.top_stories.stories.create(article=draft)
    paper.top_stories.save()

    for path in [
        "/",
        paper.banking.url,
        paper.economics.url,
        visible.url,
        "/tags/shared/",
        "/authors/ama-mensah/",
        paper.top_stories.url,
    ]:
        page = html(client.get(path))
        assert "Draft story" not in page, path
        assert "Embargoed story" not in page, path
    assert client.get(draft.url).status_code == 404
    assert client.get(future.url).status_code == 404
    assert list(ArticlePage.objects.published()) == [visible]


def test_main_menu_tree_three_levels_with_overrides(client, paper):
    hidden = make_section(paper.home, "Hidden desk")
    hidden.show_in_menus = False
    hidden.save()
    make_section(hidden, "Child of hidden")
    make_section(paper.banking, "Fourth level")
    podcast = LinkPage(
        title="Podcast",
        link_url="https://podcast.example.org/",
        show_in_menus=True,
        menu_badge="New",
    )
    paper.home.add_child(instance=podcast)
    paper.finance.menu_label = "Money"
    paper.finance.save()

    page = html(client.get("/"))
    nav = page.split('<nav class="main-nav"')[1].split("</nav>")[0]
    labels = re.findall(r'class="menu__link" href="([^"]+)"[^>]*>([^<]+)', nav)
    assert labels == [
        ("/top-stories/", "Top Stories"),
        ("/news/", "News"),
        ("/news/world/", "World"),
        ("/news/world/africa/", "Africa"),
        ("/economics/", "Economics"),
        ("/economics/finance/", "Money"),
        ("/economics/finance/banking/", "Banking"),
        ("https://podcast.example.org/", "Podcast "),
    ]
    assert '<span class="badge">New</span>' in nav
    assert page.count('class="main-nav"') == 1
    response = client.get("/podcast/")  # its place in the tree leads to the external address
    assert response.status_code == 302
    assert response["Location"] == "https://podcast.example.org/"


def test_menu_reorders_with_the_page_tree(client, paper):
    paper.economics.move(paper.news, pos="left")
    nav = html(client.get("/")).split('<nav class="main-nav"')[1]
    assert nav.index(">Economics<") < nav.index(">News<")


def test_menu_marks_the_current_section(client, paper):
    article = paper.article()
    nav = html(client.get(article.url)).split('<nav class="main-nav"')[1].split("</nav>")[0]
    assert 'href="/economics/" aria-current="true"' in nav
    assert 'href="/news/" aria-current' not in nav


def test_utility_links_and_footer(client, paper):
    about = StandardPage(title="About us", slug="about")
    paper.home.add_child(instance=about)
    navigation = NavigationSettings.for_site(paper.home.get_site())
    UtilityLink.objects.create(settings=navigation, page=about, sort_order=0)
    UtilityLink.objects.create(
        settings=navigation, url="https://shop.example.org/", label="Shop", sort_order=1
    )
    page = html(client.get("/"))
    assert page.count('<a href="/about/">About us</a>') == 2
    assert '<a href="https://shop.example.org/">Shop</a>' in page
    assert f"Copyright © {timezone.now().year} The Test Times" in page


def test_header_date_is_today_in_the_site_time_zone(client, paper, settings):
    settings.TIME_ZONE = "Pacific/Kiritimati"  # UTC+14: often a day ahead of UTC
    today = timezone.localtime(
        timezone.now(), timezone=__import__("zoneinfo").ZoneInfo("Pacific/Kiritimati")
    )
    page = html(client.get("/"))
    assert f'<time class="topbar__date" datetime="{today:%Y-%m-%d}">' in page


def test_recent_news_lists_the_five_newest(client, paper):
    now = timezone.now()
    titles = [
        paper.article(title=f"Recent {n}", date=now - timedelta(minutes=n)).title for n in range(7)
    ]
    recent = html(client.get("/")).split('id="recent-news-title"')[1].split("</ul>")[0]
    assert re.findall(r">(Recent \d)<", recent) == titles[:5]


def test_home_page_layout(client, paper):
    now = timezone.now()
    top = paper.article(title="Top one", date=now - timedelta(days=5))
    for n in range(12):
        paper.article(section=paper.africa, title=f"World item {n}", date=now - timedelta(hours=n))
    paper.top_stories.stories.create(article=top)
    paper.top_stories.save()
    page = html(client.get("/"))
    assert page.count("<h1") == 1
    assert "Top one" in page.split('class="front__lead"')[1].split("</section>")[0]
    # Not arranged by editors: the lead's secondary stories, its rail of the latest news, then
    # a block per section, with no story twice.
    secondary = page.split('class="front__secondary"')[1].split("</section>")[0]
    assert re.findall(r">(World item \d+)<", secondary) == [f"World item {n}" for n in range(3)]
    latest = page.split('id="latest-title"')[1].split("</section>")[0]
    assert re.findall(r">(World item \d+)<", latest) == [f"World item {n}" for n in range(3, 9)]
    news = page.split('<a href="/news/">News</a></h2>')[1].split("</section>")[0]
    assert re.findall(r">(World item \d+)<", news) == [f"World item {n}" for n in range(9, 12)]


def test_page_tree_rejects_articles_outside_sections(paper):
    assert not ArticlePage.can_create_at(paper.home)
    assert ArticlePage.can_create_at(paper.banking)
    assert Page.objects.type(ArticlePage).count() == 0


def test_server_error_page_in_the_site_design(client, paper, monkeypatch):
    article = paper.article()

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(ArticlePage, "get_context", broken)
    client.raise_request_exception = False
    response = client.get(article.url)
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong on our side" in body
    assert "masthead/site.css" in body


def test_head_answers_like_get_on_every_public_address(client, paper):
    """HEAD is what link checkers, crawlers and monitors send: it must get GET's status and
    headers, with no body."""
    article = paper.article(title="Central bank holds rates", tags=["Interest rates"])
    future = paper.article(title="Embargoed", date=timezone.now() + timedelta(days=1))
    withdrawn = paper.article(title="Withdrawn")
    withdrawn_url = withdrawn.url
    withdrawn.delete()
    about = StandardPage(title="About", body=[{"type": "paragraph", "value": "<p>Who we are.</p>"}])
    paper.home.add_child(instance=about)
    contact = ContactPage(title="Contact", slug="contact", recipients="desk@example.org")
    paper.home.add_child(instance=contact)
    podcast = LinkPage(title="Podcast", link_url="https://podcast.example.org/")
    paper.home.add_child(instance=podcast)
    jobs = JobsBoard(paper)
    vacancy = jobs.vacancy("Mine engineer")
    scholarship = jobs.scholarship("Masters in hydrology")
    month = f"{timezone.localtime(article.date):%Y-%m}"
    expected = {
        "/": 200,
        paper.news.url: 200,
        paper.banking.url: 200,
        f"{paper.banking.url}?page=9": 404,
        article.url: 200,
        future.url: 404,
        withdrawn_url: 410,
        paper.top_stories.url: 200,
        about.url: 200,
        contact.url: 200,
        f"{contact.url}?sent=1": 200,
        "/podcast/": 302,  # a Link page in the menu sends readers on
        "/no/such/page/": 404,
        "/authors/ama-mensah/": 200,
        "/authors/nobody/": 404,
        "/tags/interest-rates/": 200,
        "/tags/interest-rates/?page=abc": 404,
        "/search/": 200,
        "/search/?q=bank": 200,
        "/search/?q=x": 200,
        "/search/live/?q=bank": 200,
        "/feeds/rss/": 200,
        "/feeds/atom/": 200,
        "/feeds/json/": 200,
        "/feeds/sections/economics/rss/": 200,
        "/feeds/tags/interest-rates/atom/": 200,
        "/feeds/authors/ama-mensah/json/": 200,
        "/feeds/boards/jobs-scholarships/job-vacancies/rss/": 200,
        "/feeds/tags/nothing/rss/": 404,
        "/robots.txt": 200,
        "/sitemap.xml": 200,
        f"/sitemaps/articles-{month}.xml": 200,
        "/sitemaps/articles-9999-12.xml": 404,
        "/sitemaps/sections.xml": 200,
        "/sitemaps/pages.xml": 200,
        "/sitemaps/tags.xml": 200,
        "/sitemaps/authors.xml": 200,
        "/sitemaps/news.xml": 200,
        "/sitemaps/listings.xml": 200,
        jobs.section.url: 200,
        jobs.vacancies.url: 200,
        f"{jobs.vacancies.url}?type=FULL_TIME&q=mine": 200,
        f"{jobs.vacancies.url}submit/": 200,
        jobs.scholarships.url: 200,
        f"{jobs.scholarships.url}submit/?sent=1": 200,
        vacancy.url: 200,
        scholarship.url: 200,
        f"/organisations/{jobs.acme.slug}/": 200,
        "/organisations/nobody/": 404,
    }
    # Headers that differ from one request to the next whatever the method (the first GET
    # builds the page that HEAD then finds in the cache).
    varying = {"Set-Cookie", "Expires", "Date", "X-Cache", "Cache-Control"}
    answers, wanted = {}, {}
    for path, status in expected.items():
        get, head = client.get(path), client.head(path)
        wanted[path] = (status, status, b"", True)
        same_headers = {
            name: value for name, value in get.headers.items() if name not in varying
        } == {name: value for name, value in head.headers.items() if name not in varying}
        answers[path] = (get.status_code, head.status_code, head.content, same_headers)
        assert head["Content-Type"] == get["Content-Type"], path
        s_maxage = re.compile(r"s-maxage=\d+")
        assert s_maxage.sub("", head["Cache-Control"]) == s_maxage.sub("", get["Cache-Control"])
    assert answers == wanted
    # The views outside the page tree answer GET and HEAD only.
    only_read = ["/search/?q=bank", "/search/live/?q=bank", "/authors/ama-mensah/"]
    only_read += ["/tags/interest-rates/", f"/organisations/{jobs.acme.slug}/", "/robots.txt"]
    only_read += ["/feeds/rss/", "/sitemap.xml", f"/sitemaps/articles-{month}.xml"]
    assert {path: client.post(path).status_code for path in only_read} == dict.fromkeys(
        only_read, 405
    )

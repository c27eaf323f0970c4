"""The front, section, tag, author and article pages in Chromium at 1280 and 390 px: laid out
as a newspaper, accessible (axe-core finds nothing), light (under 100 KB of HTML, CSS and
JavaScript), asking no other origin; the beacon counts the view and share links work."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from masthead.popularity.models import ArticleViews
from tests.accessibility import axe_violations
from tests.conftest import make_section

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
BUDGET = 100 * 1024
# A reader's browser: the beacon ignores headless browsers, as it ignores crawlers.
READER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Safari/537.36"
)


@pytest.fixture
def front(live_paper):
    now = timezone.now()
    opinions = make_section(live_paper.news, "Opinions")
    articles = []
    for n in range(14):
        section = [live_paper.banking, live_paper.africa, opinions][n % 3]
        articles.append(
            live_paper.article(
                section=section,
                title=f"Story number {n} of the day",
                date=now - timedelta(minutes=20 * n + 1),
                tags=["Rates"],
            )
        )
    live_paper.top_stories.stories.create(article=articles[3])
    live_paper.top_stories.save_revision().publish()
    live_paper.story = articles[0]
    return live_paper


def visit(browser, url, viewport):
    context = browser.new_context(viewport=viewport, user_agent=READER, bypass_csp=True)
    page = context.new_page()
    sizes, origins = {}, set()

    def record(response):
        request = response.request
        origins.add(request.url.split("/")[2] if "://" in request.url else request.url)
        if request.resource_type in ("document", "stylesheet", "script"):
            sizes[request.url] = len(response.body())

    page.on("response", record)
    page.on("requestfailed", lambda request: origins.add(request.url.split("/")[2]))
    response = page.goto(url)
    assert response.status == 200, url
    page.wait_for_load_state("networkidle")
    # Lazy pictures too: scroll through the page.
    page.evaluate(
        "async () => { for (let y = 0; y < document.body.scrollHeight; y += 500) {"
        " window.scrollTo(0, y); await new Promise(r => setTimeout(r, 30)); }"
        " window.scrollTo(0, 0); }"
    )
    page.wait_for_load_state("networkidle")
    return context, page, sizes, origins


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_type_is_light_accessible_and_asks_no_other_origin(
    browser, front, screenshot, width
):
    urls = {
        "home": "/",
        "section": front.banking.url,
        "tag": "/tags/rates/",
        "author": "/authors/ama-mensah/",
        "article": front.story.url,
    }
    own_origin = front.url.split("/")[2]
    for name, path in urls.items():
        context, page, sizes, origins = visit(browser, front.url + path, WIDTHS[width])
        shot = f"front-{name}-{width}"
        screenshot(page, shot)
        assert origins == {own_origin}, (name, origins)
        assert sum(sizes.values()) < BUDGET, (name, sizes)
        violations = axe_violations(page)
        assert violations == [], (name, width, violations)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= WIDTHS[width]["width"], (name, "scrolls sideways")
        if width == "phone" and name == "home":
            wide = page.evaluate(
                "[...document.querySelectorAll('main img')]"
                ".filter(i => i.getBoundingClientRect().width > 300).length"
            )
            assert wide == 1, "only the lead's picture is as wide as the phone"
        context.close()


def test_the_article_counts_its_view_and_offers_the_share_sheet(browser, front):
    story = front.story
    context = browser.new_context(viewport=WIDTHS["phone"], user_agent=READER)
    context.add_init_script(
        "navigator.share = (data) => { window.sharedWith = data; return Promise.resolve(); };"
    )
    page = context.new_page()
    beacon = []
    page.on("request", lambda request: "/most-read/" in request.url and beacon.append(request))
    assert page.goto(front.url + story.url).status == 200
    page.wait_for_load_state("networkidle")
    deadline = time.monotonic() + 5
    while not ArticleViews.objects.filter(article=story).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ArticleViews.objects.get(article=story).count == 1
    assert [request.method for request in beacon] == ["POST"]

    links = page.locator(".share__list a")
    assert links.evaluate_all("links => links.map(link => link.textContent)") == [
        "X",
        "Facebook",
        "LinkedIn",
        "WhatsApp",
        "Bluesky",
        "E-mail",
    ]
    assert story.full_url.replace(":", "%3A").replace("/", "%2F") in links.first.get_attribute(
        "href"
    )
    page.click(".share__native")
    assert page.evaluate("window.sharedWith.url") == story.full_url
    context.close()

    plain = browser.new_context(viewport=WIDTHS["desktop"], user_agent=READER)
    page = plain.new_page()
    page.add_init_script("delete Navigator.prototype.share;")
    assert page.goto(front.url + story.url).status == 200
    assert not page.locator(".share__native").is_visible()  # no share sheet: the links only
    plain.close()

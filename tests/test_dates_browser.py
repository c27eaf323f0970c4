"""The pages this part changed, as a reader's browser shows them at 1280 and 390 px: the jobs
section, search results, the 404 page and an article; axe-core finds nothing; each page with its
CSS and JavaScript stays under 100 KB; without JavaScript the phone menu is closed."""

import pytest
from taggit.models import Tag

from tests.accessibility import WCAG, axe_violations
from tests.jobs_fixtures import JobsBoard

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
AXE_RULES = [*WCAG, "best-practice"]


@pytest.fixture
def jobs_paper(live_paper):
    harbour = Tag.objects.create(name="Harbour", slug="harbour")
    article = live_paper.article(title="Harbour reopens after repairs", tags=[harbour])
    live_paper.article(title="Harbour fees to rise", tags=[harbour])
    jobs = JobsBoard(live_paper)
    jobs.vacancy(title="Harbour engineer", closes_in=3)
    jobs.vacancy(title="Crane operator", closes_in=20)
    jobs.scholarship(title="Harbour studies grant", closes_in=10)
    return live_paper, article, jobs


def weight(page):
    """Bytes of the document and of the CSS and JavaScript it loaded."""
    return page.evaluate(
        """() => document.documentElement.outerHTML.length + performance
            .getEntriesByType("resource")
            .filter(r => ["link", "script", "css"].includes(r.initiatorType))
            .reduce((sum, r) => sum + (r.decodedBodySize || 0), 0)"""
    )


def test_the_pages_at_desktop_and_phone_widths(browser, jobs_paper, screenshot):
    paper, article, jobs = jobs_paper
    pages = {
        "jobs": (jobs.section.url, 200),
        "search": ("/search/?q=harbour", 200),
        "not-found": ("/no-such-page/", 404),
        "article": (article.url, 200),
    }
    for width_name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(viewport=viewport, bypass_csp=True)  # for axe's script
        page = context.new_page()
        for name, (path, status) in pages.items():
            response = page.goto(paper.url + path)
            assert response.status == status, path
            screenshot(page, f"dates-{name}-{width_name}")
            assert axe_violations(page, AXE_RULES) == [], (name, width_name)
            assert weight(page) < 100_000, (name, width_name)
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        context.close()

    page = browser.new_page(viewport=DESKTOP)
    page.goto(paper.url + jobs.section.url)
    assert "No articles here yet." not in page.content()
    page.click("text=Harbour engineer")
    page.wait_for_url(f"**{jobs.vacancies.url}**")
    page.goto(paper.url + "/search/?q=harbour")
    # Matching tags, sections and jobs first, then the articles.
    more = page.locator(".search-more").bounding_box()
    results = page.locator(".search-results").bounding_box()
    assert more["y"] < results["y"]
    assert page.locator(".search-more >> text=Harbour engineer").is_visible()
    page.goto(paper.url + "/no-such-page/")
    assert page.locator(".latest-stories >> text=Harbour fees to rise").is_visible()
    page.close()


def test_without_javascript_the_phone_menu_is_closed_and_opens_as_a_link(
    browser, jobs_paper, screenshot
):
    paper, article, _jobs = jobs_paper
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(paper.url + article.url)
    menu = page.locator("#main-menu")
    assert not menu.is_visible()
    headline = page.locator("h1").bounding_box()
    assert headline["y"] + headline["height"] < PHONE["height"]  # on the first screen
    screenshot(page, "dates-article-phone-no-javascript")
    page.locator("a.menu-toggle--link").focus()
    page.keyboard.press("Enter")
    assert menu.is_visible() and page.locator("#main-menu >> text=Banking").is_visible()
    assert not page.locator(".submenu-toggle").first.is_visible()  # they need JavaScript
    page.click("text=Close the menu")
    assert not menu.is_visible()
    context.close()

    page = browser.new_page(viewport=PHONE)  # with JavaScript: the button, as before
    page.goto(paper.url + article.url)
    assert not page.locator("a.menu-toggle--link").is_visible()
    page.click("button.menu-toggle")
    assert page.locator("#main-menu").is_visible()
    assert not page.locator(".menu-close").is_visible()
    page.close()

    page = browser.new_page(viewport=DESKTOP, java_script_enabled=False)
    page.goto(paper.url + article.url)
    assert page.locator("#main-menu").is_visible()  # desktop: the menu bar, unchanged
    assert not page.locator("a.menu-toggle--link").is_visible()
    page.close()

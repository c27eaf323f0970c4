"""End-to-end: a reader finds their way around the paper in headless Chromium."""

import pytest

# Transactional, so pytest-django runs these after the tests that rely on migrated rows.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def test_reader_goes_from_home_to_a_third_level_section_an_article_its_author_and_a_tag(
    browser, live_paper, screenshot
):
    article = live_paper.article(title="Savings banks expand", tags=["Savings"])
    live_paper.article(section=live_paper.africa, title="Farm output rises", tags=["Savings"])
    page = browser.new_page(viewport=DESKTOP)
    page.goto(live_paper.url + "/")
    screenshot(page, "home-desktop")

    page.hover("nav.main-nav >> text=Economics")
    page.hover("nav.main-nav .menu--level2 >> text=Finance")
    page.click("nav.main-nav .menu--level3 >> text=Banking")
    page.wait_for_url("**/economics/finance/banking/")
    assert page.locator("h1").inner_text() == "Banking"
    screenshot(page, "section-desktop")

    page.click(f"text={article.title}")
    page.wait_for_url(f"**{article.url}")
    assert page.locator("h1").inner_text() == "Savings banks expand"
    screenshot(page, "article-desktop")

    page.click("a[rel=author]")
    page.wait_for_url("**/authors/ama-mensah/")
    assert page.locator("h1").inner_text() == "Ama Mensah"
    page.go_back()
    page.click("a[rel=tag]")
    page.wait_for_url("**/tags/savings/")
    assert "Farm output rises" in page.content()
    page.close()


def test_menu_opens_by_keyboard_on_desktop(browser, live_paper):
    page = browser.new_page(viewport=DESKTOP)
    page.goto(live_paper.url + "/")
    toggle = page.locator("button[aria-label='Economics: show subsections']")
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator("nav.main-nav >> text=Finance").is_visible()
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    page.close()


def test_mobile_menu_at_phone_width(browser, live_paper, screenshot):
    article = live_paper.article(title="Phone readers welcome")
    page = browser.new_page(viewport=PHONE, has_touch=True, is_mobile=True)
    page.goto(live_paper.url + "/")
    menu = page.locator("#main-menu")
    assert not menu.is_visible()
    screenshot(page, "home-phone")

    page.tap("button.menu-toggle")
    assert menu.is_visible()
    page.tap("button[aria-label='Economics: show subsections']")
    page.tap("button[aria-label='Finance: show subsections']")
    screenshot(page, "menu-phone")
    page.tap("nav.main-nav >> text=Banking")
    page.wait_for_url("**/economics/finance/banking/")
    page.goto(live_paper.url + article.url)
    screenshot(page, "article-phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways on a phone"
    page.close()

"""End-to-end: a reader types into the header's search box and finds an article."""

import pytest

# Transactional, so pytest-django runs these after the tests that rely on migrated rows.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def test_reader_types_moves_with_the_arrow_keys_and_opens_a_result(browser, live_paper, screenshot):
    for title in ["Rutte meets allies", "Rutte's plan for Ukraine", "Routes reopen"]:
        live_paper.article(title=title, tags=["NATO"])
    page = browser.new_page(viewport=DESKTOP)
    page.goto(live_paper.url + "/")
    box = page.locator("#header-search-input")
    assert box.get_attribute("role") == "combobox"
    assert box.get_attribute("aria-expanded") == "false"

    box.click()
    box.press_sequentially("rut", delay=40)
    options = page.locator("#header-search-listbox [role=option]")
    options.last.wait_for()
    assert options.all_inner_texts()[-1] == "View all results"
    assert len(options.all()) == 3  # two articles and "View all results"
    assert box.get_attribute("aria-expanded") == "true"
    screenshot(page, "search-live-desktop")

    box.press("ArrowDown")
    first = options.nth(0)
    assert first.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    box.press("ArrowDown")
    box.press("ArrowUp")
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    box.press("ArrowUp")  # wraps round to "View all results"
    assert options.last.get_attribute("aria-selected") == "true"
    box.press("ArrowDown")
    title = first.locator(".live-search__title").inner_text()
    box.press("Enter")
    page.wait_for_url("**/economics/finance/banking/rutte**")
    assert page.locator("h1").inner_text() == title

    # Escape closes the list; Enter with nothing chosen opens the results page.
    page.locator("#header-search-input").fill("")
    box = page.locator("#header-search-input")
    box.press_sequentially("zzqx", delay=40)
    page.locator(".live-search__empty").wait_for()
    assert page.locator(".live-search__empty").inner_text() == "No results for “zzqx”"
    box.press("Escape")
    assert page.locator(".live-search").is_hidden()
    box.fill("routes")
    box.press("Enter")
    page.wait_for_url("**/search/?q=routes")
    assert page.locator(".search-result__title").inner_text() == "Routes reopen"
    assert page.locator("#search-q").input_value() == "routes"
    screenshot(page, "search-results-desktop")
    page.close()


def test_search_at_phone_width_and_without_javascript(browser, live_paper, screenshot):
    live_paper.article(title="Harbour strike ends", tags=["Ports"])
    page = browser.new_page(viewport=PHONE, has_touch=True, is_mobile=True)
    page.goto(live_paper.url + "/")
    box = page.locator("#header-search-input")
    box.tap()
    box.press_sequentially("harb", delay=40)
    page.locator("#header-search-listbox [role=option]").first.wait_for()
    screenshot(page, "search-live-phone")
    page.goto(live_paper.url + "/search/?q=harbour+strike")
    screenshot(page, "search-results-phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the results page scrolls sideways on a phone"
    page.close()

    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    page = context.new_page()
    page.goto(live_paper.url + "/")
    page.fill("#header-search-input", "harbour")
    page.press("#header-search-input", "Enter")
    page.wait_for_url("**/search/?q=harbour")
    assert page.locator(".search-result__title").inner_text() == "Harbour strike ends"
    context.close()

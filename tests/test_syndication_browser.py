"""The shared-card preview in the page editor, in headless Chromium."""

import pytest
from django.contrib.auth import get_user_model

from masthead.core.address import site_address

pytestmark = pytest.mark.browser


def test_editor_sees_the_shared_card_follow_what_they_type(browser, live_paper, screenshot):
    article = live_paper.article(title="Harbour reopens", tags=["Ports"])
    get_user_model().objects.create_superuser("editor", "editor@example.org", "a long passphrase")
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(live_paper.url + "/admin/login/")
    page.fill("input[name=username]", "editor")
    page.fill("input[name=password]", "a long passphrase")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")

    page.goto(f"{live_paper.url}/admin/pages/{article.pk}/edit/")
    page.click("a[role=tab]:has-text('Promote')")
    card = page.locator("[data-social-card]")
    card.scroll_into_view_if_needed()
    assert card.locator("[data-social-card-title]").inner_text() == "Harbour reopens"
    assert card.locator("[data-social-card-description]").inner_text() == article.standfirst
    assert card.locator(".social-card__domain").inner_text().lower() == site_address()[0]
    image = card.locator("[data-social-card-image] img")
    assert "fill-1200x630-c100" in image.get_attribute("src")
    assert image.evaluate("img => img.complete && img.naturalWidth") == 1200

    page.fill("input[name=seo_title]", "The harbour is open again")
    page.fill("textarea[name=search_description]", "Ships are back after the storm.")
    assert card.locator("[data-social-card-title]").inner_text() == "The harbour is open again"
    assert card.locator("[data-social-card-description]").inner_text() == (
        "Ships are back after the storm."
    )
    card.evaluate("card => card.scrollIntoView({block: 'center'})")
    screenshot(page, "admin-social-card")
    page.close()

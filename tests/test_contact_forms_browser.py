"""End-to-end: a reader writes to the newsroom and an advertiser sends an enquiry, in Chromium."""

import re

import pytest
from django.contrib.auth import get_user_model

from masthead.pages.models import AdvertisePage, AdvertisingEnquiry, ContactMessage, ContactPage

# Transactional, so pytest-django runs these after the tests that rely on migrated rows.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def form_pages(live_paper):
    contact = ContactPage(
        title="Contact",
        slug="contact",
        intro="How to reach the newsroom, send us a story or ask for a correction.",
        body=[{"type": "paragraph", "value": "<p>An editor reads every message.</p>"}],
        recipients="desk@example.org",
        confirmation="Thank you: your message has reached the newsroom.",
    )
    live_paper.home.add_child(instance=contact)
    advertise = AdvertisePage(
        title="Advertise",
        slug="advertise",
        intro="Reach readers who come to us for news they can trust.",
        recipients="advertising@example.org",
        confirmation="Thank you for your enquiry.",
    )
    live_paper.home.add_child(instance=advertise)
    return live_paper


def write_to_the_newsroom(page, screenshot, name):
    page.get_by_label("Your name").fill("\u202eAma Reader")  # reads "redaeR amA"
    page.get_by_label("Your e-mail address").fill("ama@example")  # the browser lets it through
    page.get_by_label("Subject").fill("A correction")
    page.get_by_label("Your message").fill("The rate was 4%, not 5%.")
    page.get_by_role("button", name="Send message").click()
    page.locator(".form-field--error").first.wait_for()
    errors = page.locator(".form-field--error")
    assert errors.count() == 2
    assert "check the 2 fields marked below" in page.get_by_role("alert").inner_text()
    assert "change the direction of the text" in errors.nth(0).inner_text()
    assert "valid email address" in errors.nth(1).inner_text()
    assert page.get_by_label("Subject").input_value() == "A correction"  # nothing typed is lost
    screenshot(page, f"contact-errors-{name}")

    page.get_by_label("Your name").fill("Ama Reader")
    page.get_by_label("Your e-mail address").fill("ama@example.net")
    page.get_by_role("button", name="Send message").click()
    page.wait_for_url(re.compile(r"/contact/\?sent=1"))
    assert "has reached the newsroom" in page.locator(".form-done").inner_text()
    assert page.locator("form.public-form").count() == 0
    screenshot(page, f"contact-sent-{name}")


def test_a_reader_writes_to_the_newsroom_at_desktop_and_phone_widths(
    browser, form_pages, screenshot, smtp_server
):
    for name, viewport in [("desktop", DESKTOP), ("phone", PHONE)]:
        page = browser.new_page(viewport=viewport)
        page.goto(form_pages.url + "/contact/")
        screenshot(page, f"contact-{name}")
        write_to_the_newsroom(page, screenshot, name)
        page.close()
    assert ContactMessage.objects.count() == 2
    assert [mail.recipients for mail in smtp_server.messages] == [["desk@example.org"]] * 2
    assert {mail["Reply-To"] for mail in smtp_server.messages} == {"ama@example.net"}

    # The desk reads them in the admin, under Messages.
    get_user_model().objects.create_superuser("chief", "chief@example.org", "a-long-password")
    admin = browser.new_page(viewport=DESKTOP)
    admin.goto(form_pages.url + "/admin/login/")
    admin.fill("#id_username", "chief")
    admin.fill("#id_password", "a-long-password")
    admin.click("button[type=submit]")
    admin.wait_for_url("**/admin/")
    admin.get_by_role("button", name="Messages").click()
    admin.get_by_role("link", name="Contact messages").click()
    admin.wait_for_url("**/admin/messages/contact/")
    assert admin.locator("table.listing tbody tr").count() == 2
    screenshot(admin, "contact-admin-list")
    admin.locator("table.listing tbody tr").first.get_by_role("link", name="A correction").click()
    admin.wait_for_url("**/admin/messages/contact/inspect/*/")
    assert "The rate was 4%, not 5%." in admin.locator("main").inner_text()
    screenshot(admin, "contact-admin-inspect")
    admin.wait_for_load_state("networkidle")
    admin.close()  # no admin request may outlive the test's database


def test_an_advertiser_sends_an_enquiry(browser, form_pages, screenshot, smtp_server):
    page = browser.new_page(viewport=DESKTOP)
    page.goto(form_pages.url + "/advertise/")
    screenshot(page, "advertise-desktop")
    page.close()
    page = browser.new_page(viewport=PHONE)
    page.goto(form_pages.url + "/advertise/")
    page.get_by_label("Company").fill("Harbour Foods Ltd")
    page.get_by_label("Contact name").fill("Kofi Sales")
    page.get_by_label("E-mail address").fill("kofi@harbour.example")
    page.get_by_label("Budget").select_option("1000-5000")
    page.get_by_label("Newsletter").check()
    page.get_by_label("Sponsored article").check()
    page.get_by_label("Start date (optional)").fill("2099-05-01")
    page.get_by_label("End date (optional)").fill("2099-04-01")
    screenshot(page, "advertise-phone")
    page.get_by_role("button", name="Send enquiry").click()
    page.locator(".form-field--error").wait_for()
    assert "before the start date" in page.locator(".form-field--error").inner_text()
    assert page.get_by_label("Newsletter").is_checked()
    screenshot(page, "advertise-errors-phone")
    page.get_by_label("End date (optional)").fill("2099-05-31")
    page.get_by_role("button", name="Send enquiry").click()
    page.wait_for_url(re.compile(r"/advertise/\?sent=1"))
    assert "Thank you for your enquiry." in page.locator(".form-done").inner_text()
    screenshot(page, "advertise-sent-phone")
    page.close()
    enquiry = AdvertisingEnquiry.objects.get()
    assert enquiry.placements == ["newsletter", "sponsored-article"]
    assert [mail.recipients for mail in smtp_server.messages] == [["advertising@example.org"]]

"""Newsletter editions in headless Chromium: an editor composes an edition in Wagtail's admin,
previews the HTML e-mail (at 1280 and 390 px) and its plain text, sends it, and watches the
progress bar follow the worker's send."""

import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from masthead.newsletter import sending
from masthead.newsletter.models import Edition, NewsletterList, Subscriber, Subscription
from tests.browser_session import signed_in_context

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENS = Path(
    os.environ.get("SCREENS") or Path(__file__).resolve().parent.parent / "var" / "screens"
)


def shoot(page, name):
    page.wait_for_load_state("networkidle")
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENS / f"{name}.png", full_page=True)


signed_in = signed_in_context


def subscribe(newsletter, count):
    now = timezone.now()
    Subscriber.objects.bulk_create(
        [Subscriber(email=f"reader{i}@example.org", confirmed_at=now) for i in range(count)]
    )
    Subscription.objects.bulk_create(
        [
            Subscription(subscriber=s, newsletter=newsletter, confirmed_at=now)
            for s in Subscriber.objects.all()
        ]
    )


def test_an_editor_composes_previews_and_sends_an_edition(browser, live_paper, settings):
    settings.TASKS = {**settings.TASKS, "worker": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.SITE_URL = live_paper.url  # the e-mail's absolute links and images lead there
    daily = NewsletterList.objects.create(name="Daily Briefing", slug="daily-briefing")
    subscribe(daily, 30)
    story = live_paper.article(title="Harbour reopens after the storm")
    editor = get_user_model().objects.create_superuser("desk", "desk@example.org", "pw")
    context = signed_in(browser, live_paper, editor, DESKTOP)
    admin = context.new_page()

    # Composed in the admin: the list, the subject, a text block.
    admin.goto(live_paper.url + "/admin/snippets/newsletter/edition/add/")
    admin.locator("#id_newsletter").select_option(label="Daily Briefing")
    admin.locator("#id_subject").fill("Tuesday's briefing")
    admin.locator("#id_preheader").fill("The harbour, and what else matters this morning")
    admin.get_by_role("button", name="Insert a block").first.click()
    admin.get_by_role("option", name="Text").click()
    text_block = admin.locator(".public-DraftEditor-content").first
    text_block.wait_for()
    text_block.click()
    text_block.press_sequentially("Good morning. The storm has passed; here is what it left.")
    admin.get_by_text("Good morning. The storm has passed").wait_for()
    admin.locator("#id_preheader").click()  # Draftail keeps its text when it loses focus
    admin.wait_for_timeout(500)
    admin.get_by_role("button", name="Save").first.click()
    try:
        admin.locator(".messages").filter(has_text="created").wait_for()
    finally:
        shoot(admin, "newsletter-edition-admin-saved")
    edition = Edition.objects.get()
    assert edition.subject == "Tuesday's briefing"
    assert "storm has passed" in str(edition.body[0].value)
    edition.body.append(("article", story))
    edition.save()

    manage = f"{live_paper.url}/admin/newsletter-editions/{edition.pk}/"
    admin.goto(manage)
    assert "30 subscribers now" in admin.locator(".edition-admin__meta").inner_text()
    shoot(admin, "newsletter-edition-admin-draft")

    # The preview of the HTML e-mail, as Chromium renders it, at both widths.
    for name, viewport in (("1280", DESKTOP), ("390", PHONE)):
        page = browser.new_context(viewport=viewport)
        page.add_cookies(context.cookies())
        preview = page.new_page()
        response = preview.goto(manage + "preview.html")
        assert response.status == 200
        assert preview.locator("h1").inner_text() == "Tuesday's briefing"
        assert preview.get_by_role("link", name="Harbour reopens after the storm").count() == 1
        image = preview.locator("img.image")
        assert image.evaluate("img => img.complete && img.naturalWidth") == 800
        sheet = preview.locator("table.sheet").bounding_box()
        assert sheet["width"] <= viewport["width"]  # no sideways scrolling on a phone
        assert preview.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        shoot(preview, f"newsletter-email-{name}")
        page.close()
    text = admin.request.get(manage + "preview.txt")
    assert text.status == 200 and "Harbour reopens after the storm" in text.text()

    # A test to a malformed address: a clear message, what was typed kept.
    address = admin.get_by_label("Send a test to")
    address.fill("not an address")
    assert address.evaluate("input => input.validity.valid") is False  # the browser says so
    address.fill("editor@intranet")  # the browser lets it through; the server does not
    admin.get_by_role("button", name="Send a test").click()
    admin.wait_for_load_state()
    assert "The test was not sent" in admin.locator(".messages").inner_text()
    assert admin.get_by_label("Send a test to").input_value() == "editor@intranet"

    # Sent: the worker's progress appears without reloading the page.
    admin.get_by_role("button", name="Send now").click()
    admin.wait_for_load_state()
    assert "Sending has started" in admin.locator(".messages").inner_text()
    assert admin.locator("[data-progress-field=remaining]").inner_text() == "0"
    assert admin.locator("[data-progress-preparing]").is_visible()
    edition.refresh_from_db()
    settings.NEWSLETTER_BATCH_SIZE = 10
    sending.create_deliveries(edition)
    admin.locator("[data-progress-field=remaining]").filter(has_text="30").wait_for()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert sending.step(edition.pk, edition.run, "here:1:x") == sending.CONTINUE
    admin.locator("[data-progress-field=sent]").filter(has_text="10").wait_for()
    assert admin.locator("[data-progress-bar]").evaluate("bar => bar.value") == 33
    shoot(admin, "newsletter-edition-admin-sending")
    sending.step(edition.pk, edition.run, "here:1:x")
    sending.step(edition.pk, edition.run, "here:1:x")
    sending.step(edition.pk, edition.run, "here:1:x")  # nothing left: marked sent
    admin.locator(".w-status", has_text="Sent").first.wait_for()  # the page reloads itself
    assert admin.locator("[data-progress-field=sent]").inner_text() == "30"
    shoot(admin, "newsletter-edition-admin-sent")
    context.close()


def test_the_newsletter_admin_pages_an_editor_goes_through(browser, live_paper, settings):
    """Lists, subscribers searched and filtered, an import refused with its report and one
    waiting for the worker, the chart, and an edition's page warning that no worker runs."""
    settings.TASKS = {**settings.TASKS, "worker": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    daily = NewsletterList.objects.create(name="Daily Briefing", slug="daily-briefing")
    NewsletterList.objects.create(name="Breaking News", slug="breaking-news", position=1)
    subscribe(daily, 12)
    edition = Edition.objects.create(newsletter=daily, subject="Wednesday's briefing")
    editor = get_user_model().objects.create_superuser("desk", "desk@example.org", "pw")
    context = signed_in(browser, live_paper, editor, DESKTOP)
    admin = context.new_page()
    base = live_paper.url + "/admin/"

    admin.goto(base + "newsletter-lists/")
    admin.get_by_role("button", name="Newsletter").click()
    menu = admin.locator(".sidebar-sub-menu-panel")
    for item in ("Lists", "Subscribers", "Editions", "Digests", "Import subscribers"):
        assert menu.get_by_role("link", name=item, exact=True).is_visible()
    shoot(admin, "newsletter-admin-menu")

    response = admin.goto(base + "newsletter-subscribers/?q=reader1&confirmed=true")
    assert response.status == 200
    assert admin.get_by_text("reader10@example.org").count() == 1
    shoot(admin, "newsletter-admin-subscribers-search")

    admin.goto(base + "newsletter-subscribers/import/")
    admin.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": "list.csv",
                "mimeType": "text/csv",
                "buffer": b"email,lists\nok@example.org,\nnot an address,\n"
                b"b@example.org,Weekly Nonsense\n",
            }
        ]
    )
    admin.get_by_label("Daily Briefing").check()
    admin.get_by_role("button", name="Import").click()
    admin.wait_for_load_state()
    assert "Waiting for the task worker" in admin.content()
    shoot(admin, "newsletter-admin-import-waiting")
    from masthead.newsletter.models import SubscriberImport
    from masthead.newsletter.subscribing import run_import

    run_import(SubscriberImport.objects.get())
    admin.get_by_text("Nothing was imported").wait_for()  # the page follows by itself
    shoot(admin, "newsletter-admin-import-refused")

    admin.goto(base + "newsletter-subscribers/chart/")
    assert admin.locator("svg polyline").count() == 2
    shoot(admin, "newsletter-admin-chart")

    admin.goto(f"{base}newsletter-editions/{edition.pk}/")
    assert admin.get_by_text("No task worker is running.").is_visible()
    shoot(admin, "newsletter-admin-edition-no-worker")
    context.close()

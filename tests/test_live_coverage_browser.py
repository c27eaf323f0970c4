"""Live coverage in headless Chromium: an entry published while a reader has the page open shows
at the top of it within ten seconds, without a reload; the editor's form of a live article."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from masthead.articles.models import ArticlePage, LiveEntry
from tests.browser_session import signed_in_context

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SHOTS = Path("/tmp/shots-desk")


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def publish_entry(article, text, pinned=False):
    article = ArticlePage.objects.get(pk=article.pk)
    article.live_entries.add(LiveEntry(at=timezone.now(), text=text, pinned=pinned))
    article.save_revision().publish()


@pytest.fixture
def coverage(live_paper):
    article = live_paper.article(
        live_paper.news,
        title="Storm over the coast: live",
        live_coverage=ArticlePage.LIVE_RUNNING,
    )
    for minutes, text, pinned in [
        (50, "<p>The weather service raises its warning to red.</p>", True),
        (35, "<p>The coast road is closed between the harbour and the bridge.</p>", False),
        (15, "<p>Ferries stay in port until the evening.</p>", False),
    ]:
        article.live_entries.add(
            LiveEntry(at=timezone.now() - timedelta(minutes=minutes), text=text, pinned=pinned)
        )
    article.save_revision().publish()
    return article


@pytest.mark.parametrize(("viewport", "name"), [(DESKTOP, "1280"), (PHONE, "390")])
def test_a_new_entry_appears_on_an_open_page_without_reload(
    browser, live_paper, coverage, viewport, name
):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    try:
        response = page.goto(live_paper.url + coverage.url)
        assert response.status == 200
        page.evaluate("window.stillTheSamePage = true")
        entries = page.locator(".live__entries > li")
        assert entries.count() == 3

        publish_entry(coverage, "<p>The bridge reopens to traffic.</p>", pinned=True)
        newest = entries.first
        newest.get_by_text("The bridge reopens to traffic.").wait_for(timeout=10_000)
        assert entries.count() == 4
        assert page.evaluate("window.stillTheSamePage") is True
        key_events = page.get_by_role("navigation", name="Key events")
        assert key_events.get_by_role("link", name="The bridge reopens to traffic.").count() == 1
        live_region = page.locator(".live__entries")
        assert live_region.get_attribute("aria-live") == "polite"
        shoot(page, f"live-article-{name}")
        assert errors == []
    finally:
        context.close()


def test_the_coverage_ends_on_an_open_page_with_its_summary(browser, live_paper, coverage):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        assert page.goto(live_paper.url + coverage.url).status == 200
        article = ArticlePage.objects.get(pk=coverage.pk)
        article.live_coverage = ArticlePage.LIVE_ENDED
        article.live_summary = "<p>The storm has passed; every road is open again.</p>"
        article.save_revision().publish()
        page.get_by_text("The storm has passed; every road is open again.").wait_for(timeout=10_000)
        assert page.locator("#live-title").inner_text() == "Live coverage has ended"
    finally:
        context.close()


def test_the_live_article_in_the_admin(browser, live_paper, coverage):
    editor = get_user_model().objects.create_superuser("desk", "desk@example.org", "pw-1-desk")
    context = signed_in_context(browser, live_paper, editor, DESKTOP)
    page = context.new_page()
    try:
        response = page.goto(f"{live_paper.url}/admin/pages/{coverage.pk}/edit/")
        assert response.status == 200
        state = page.locator("select[name='live_coverage']")
        assert state.input_value() == "live"
        state.scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, -120)")
        assert page.get_by_text("Entries, newest first").count() == 1
        assert page.get_by_text("The coast road is closed between the harbour").count() == 1
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOTS / "live-article-admin.png")
    finally:
        context.close()

"""The newsroom's time in headless Chromium at 1280 and 390 px: the breaking-news banner on a
cached page, switched on and off; the calendar, an article dragged to another day; the admin's
warning that no worker runs."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Site

from masthead.articles.models import ArticlePage
from masthead.core.models import BreakingNews
from tests.browser_session import signed_in_context

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENS = Path(__file__).resolve().parent.parent / "var" / "screens"


def shoot(page, name):
    page.wait_for_load_state("networkidle")
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENS / f"{name}.png", full_page=True)


def editor_context(browser, live_paper, viewport):
    user = get_user_model().objects.create_superuser("desk", "desk@example.org", "pw-desk-123")
    return signed_in_context(browser, live_paper, user, viewport)


def switch(**fields):
    news = BreakingNews.for_site(Site.objects.get(is_default_site=True))
    for name, value in fields.items():
        setattr(news, name, value)
    news.save()


@pytest.mark.parametrize(("viewport", "name"), [(DESKTOP, "1280"), (PHONE, "390")])
def test_the_banner_shows_on_a_cached_page_and_goes(browser, live_paper, viewport, name):
    story = live_paper.article(title="Harbour reopens after the storm")
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    try:
        first = page.goto(live_paper.url + story.url)
        assert first.status == 200
        again = page.goto(live_paper.url + story.url)
        assert again.headers["x-cache"] == "HIT"
        assert page.locator(".breaking-news").count() == 0

        switch(
            on=True,
            headline="Bridge closed: traffic diverted through the old town",
            link_page=story,
        )
        response = page.goto(live_paper.url + story.url)
        # the cached page showed no banner: switching one on purged it
        assert response.status == 200 and response.headers["x-cache"] == "MISS"
        banner = page.get_by_role("region", name="Breaking news")
        assert banner.is_visible()
        link = banner.get_by_role(
            "link", name="Bridge closed: traffic diverted through the old town"
        )
        assert link.is_visible()
        box = banner.bounding_box()
        assert box["width"] <= viewport["width"]  # no sideways scrolling at 390 px
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        link.focus()
        shoot(page, f"breaking-news-{name}")

        switch(on=False)
        response = page.goto(live_paper.url + story.url)
        # the page now includes the banner: switching it off purged the banner alone
        assert response.status == 200 and response.headers["x-cache"] == "HIT"
        assert page.locator(".breaking-news").count() == 0
    finally:
        context.close()


@pytest.mark.parametrize(("viewport", "name"), [(DESKTOP, "1280"), (PHONE, "390")])
def test_the_calendar_moves_an_article_dragged_to_another_day(browser, live_paper, viewport, name):
    now = timezone.localtime()
    moment = (now + timedelta(hours=2)).replace(minute=15, second=0, microsecond=0)
    article = live_paper.article(title="Zanzibar deal signed", date=moment)
    article.unpublish()
    article.go_live_at = moment
    article.save_revision().publish()
    live_paper.article(title="Published this morning", date=now - timedelta(minutes=30))
    context = editor_context(browser, live_paper, viewport)
    page = context.new_page()
    try:
        response = page.goto(live_paper.url + f"/admin/newsroom/calendar/?date={moment:%Y-%m-%d}")
        assert response.status == 200
        assert page.get_by_text(f"Times are in {settings.TIME_ZONE}.").is_visible()
        entry = page.locator(f'[data-entry="{article.pk}"]')
        assert entry.is_visible()
        shoot(page, f"calendar-{name}")

        # to another hour of the same day, in the day view: still to come, whatever the hour
        page.goto(live_paper.url + f"/admin/newsroom/calendar/?view=day&date={moment:%Y-%m-%d}")
        hour = 23 if moment.hour < 23 else 22
        source = page.locator(f'[data-entry="{article.pk}"]')
        target = page.locator(f'[data-slot="{moment:%Y-%m-%d}T{hour:02d}"]')
        target.scroll_into_view_if_needed()
        source.drag_to(target)  # the real mouse: press, move over the hour, release
        page.get_by_text("now goes live").wait_for()
        shoot(page, f"calendar-moved-{name}")
        approved = list(
            article.revisions.exclude(approved_go_live_at=None).values_list(
                "approved_go_live_at", flat=True
            )
        )
        expected = moment.replace(hour=hour)
        assert approved == [expected]
        assert not ArticlePage.objects.get(pk=article.pk).live
    finally:
        context.close()


def test_the_admin_warns_that_no_worker_runs(browser, live_paper, settings):
    settings.TASKS = {**settings.TASKS, "worker": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    context = editor_context(browser, live_paper, DESKTOP)
    page = context.new_page()
    try:
        assert page.goto(live_paper.url + "/admin/").status == 200
        warning = page.get_by_role("alert").filter(has_text="The task worker is not running")
        assert warning.is_visible()
        shoot(page, "worker-warning-1280")
    finally:
        context.close()

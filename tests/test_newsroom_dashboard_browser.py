"""The editor's dashboard and tag suggestions in headless Chromium at 1280 px."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from masthead.articles.models import ArticlePage
from masthead.comments.models import Comment
from tests.browser_session import signed_in_context

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DESKTOP = {"width": 1280, "height": 900}
SHOTS = Path("/tmp/shots-desk")


@pytest.fixture
def chief(live_paper):
    return get_user_model().objects.create_superuser(
        "chief", "chief@example.org", None, first_name="Chief", last_name="Editor"
    )


def test_the_dashboard(browser, live_paper, chief):
    now = timezone.now()
    for days_ago, section in [(0, live_paper.world), (1, live_paper.banking), (3, live_paper.news)]:
        live_paper.article(section, date=now - timedelta(days=days_ago, minutes=5))
    story = live_paper.article(title="Discussed story")
    Comment.objects.create(article=story, author=chief, body="Waiting for a moderator.")
    draft = live_paper.article(title="A draft of mine", owner=chief)
    draft.title = "A draft of mine, retitled"
    draft.save_revision(user=chief)
    context = signed_in_context(browser, live_paper, chief, DESKTOP)
    page = context.new_page()
    try:
        assert page.goto(f"{live_paper.url}/admin/").status == 200
        chart = page.locator("#published_chart-section svg[role='img']")
        assert chart.count() == 1
        drafts = page.locator("#my_drafts-section")
        assert drafts.get_by_role("link", name="A draft of mine, retitled").count() == 1
        comments = page.locator("#comments_waiting-section")
        assert comments.get_by_text("1 comment waiting").count() == 1
        page.locator("#published_chart-section summary").click()
        assert page.locator("#published_chart-section table").is_visible()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 1280, "height": 3000})  # the admin scrolls inside
        page.screenshot(path=SHOTS / "dashboard-1280.png", full_page=True)
    finally:
        context.close()


def test_a_suggested_tag_is_added_with_one_click(browser, live_paper, chief):
    live_paper.article(title="Earlier port story", tags=["Kofi Annan Port", "Shipping"])
    article = live_paper.article(title="Kofi Annan Port reopens")
    context = signed_in_context(browser, live_paper, chief, DESKTOP)
    page = context.new_page()
    try:
        assert page.goto(f"{live_paper.url}/admin/pages/{article.pk}/edit/").status == 200
        page.get_by_role("button", name="Suggest tags").click()
        add = page.get_by_role("button", name="Add the tag Kofi Annan Port (in the text)")
        add.wait_for()
        page.get_by_role("button", name="Add the tag Shipping (on similar articles)").wait_for()
        add.click()
        assert add.count() == 0
        page.locator("[data-tag-suggestions]").scroll_into_view_if_needed()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOTS / "tag-suggestions-1280.png")
        page.locator("footer [data-w-dropdown-target='toggle']").first.click()
        with page.expect_navigation():
            page.locator("button[name='action-publish']").click()
        article = ArticlePage.objects.get(pk=article.pk)
        assert [tag.name for tag in article.tags.all()] == ["Kofi Annan Port"]
    finally:
        context.close()

"""The newsroom in headless Chromium at 1280 and 390 px: a contributor writes an article and
submits it; the News desk's section editor finds it waiting on the dashboard, approves and
publishes it; readers see it. And a section editor logs in at /accounts/login/ and previews an
article at phone and desktop width."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from masthead.articles.models import ArticlePage
from masthead.newsroom import roles
from tests.browser_session import signed_in_context
from tests.test_comments_browser import DESKTOP, PHONE, shoot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "a-long-newsroom-password"


def member(username, first, role, desk):
    user = get_user_model().objects.create_user(
        username, f"{username}@example.org", PASSWORD, first_name=first, last_name="Demo"
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    user.groups.add(Group.objects.get(name=role), Group.objects.get(name=desk))
    return user


def log_in(browser, live_paper, user, viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(live_paper.url + "/accounts/login/?next=/admin/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("main >> button:text('Log in')")
    page.wait_for_url(re.compile(r".*/admin/$"))
    return context, page


@pytest.mark.parametrize(("size", "viewport"), [("1280", DESKTOP), ("390", PHONE)])
def test_a_contributor_submits_and_the_section_editor_publishes(
    browser, live_paper, size, viewport
):
    news = live_paper.news
    writer = member("cleo", "Cleo", roles.CONTRIBUTOR, roles.DESK_CONTRIBUTORS.format("News"))
    editor = member("sami", "Sami", roles.SECTION_EDITOR, roles.DESK_EDITORS.format("News"))
    headline = f"Harbour reopens after the storm ({size})"

    context = signed_in_context(browser, live_paper, writer, viewport)
    page = context.new_page()
    page.goto(f"{live_paper.url}/admin/pages/add/articles/articlepage/{news.pk}/")
    page.fill("#id_title", headline)
    page.fill("#id_standfirst", "The port authority lifted its closure this morning.")
    page.get_by_role("tab", name="Promote").click()
    page.fill("#id_slug", f"harbour-reopens-{size}")
    page.get_by_role("tab", name="Content").click()
    shoot(page, f"newsroom-contributor-writes-{size}")
    # Contributors cannot publish: their one way out is the desk's review.
    assert page.locator("button[name='action-publish']").count() == 0
    page.locator("footer [data-w-dropdown-target='toggle']").first.click()
    with page.expect_navigation():
        page.locator("button[name='action-submit']").click()
    article = ArticlePage.objects.get(title=headline)
    assert article.workflow_in_progress and not article.live
    assert article.owner == writer
    page.goto(f"{live_paper.url}/admin/pages/{article.pk}/edit/")
    # Locked against its writer while the desk reviews it.
    assert page.get_by_text("This page is currently awaiting moderation").is_visible()
    context.close()

    context = signed_in_context(browser, live_paper, editor, viewport)
    page = context.new_page()
    page.goto(f"{live_paper.url}/admin/")
    waiting = page.locator("#waiting_for_review-section")
    waiting.get_by_role("link", name=headline).wait_for()  # waiting for them on the dashboard
    shoot(page, f"newsroom-editor-dashboard-{size}")
    page.goto(f"{live_paper.url}/admin/pages/{article.pk}/edit/")
    page.locator("footer [data-w-dropdown-target='toggle']").first.click()
    shoot(page, f"newsroom-editor-actions-{size}")
    with page.expect_navigation():
        page.get_by_role("button", name="Approve and Publish", exact=True).click()
    article.refresh_from_db()
    assert article.live and not article.workflow_in_progress
    page.goto(live_paper.url + article.url)
    assert page.locator("h1").first.inner_text() == headline
    shoot(page, f"newsroom-published-{size}")
    context.close()


def test_an_article_previews_at_phone_and_desktop_width_in_the_admin(browser, live_paper):
    editor = member("sami", "Sami", roles.SECTION_EDITOR, roles.DESK_EDITORS.format("News"))
    article = live_paper.article(live_paper.world, title="Preview of the harbour story")
    context, page = log_in(browser, live_paper, editor, DESKTOP)
    page.goto(f"{live_paper.url}/admin/pages/{article.pk}/edit/")
    page.locator("[data-side-panel-toggle='preview']").click()
    frame = page.frame_locator("#w-preview-iframe")
    for width in ("mobile", "desktop"):
        page.locator(f"input[name='preview-size'][value='{width}']").check()
        page.wait_for_load_state("networkidle")
        frame.locator("h1").first.wait_for()
        assert frame.locator("h1").first.inner_text() == "Preview of the harbour story"
        shoot(page, f"newsroom-preview-{width}")
    iframe_width = page.locator("#w-preview-iframe").evaluate("frame => frame.clientWidth")
    assert iframe_width == 1280
    page.locator("input[name='preview-size'][value='mobile']").check()
    page.wait_for_function("() => document.querySelector('#w-preview-iframe').clientWidth === 375")
    context.close()

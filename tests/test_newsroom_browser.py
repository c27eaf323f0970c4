"""The newsroom in headless Chromium: a section editor logs in at /accounts/login/ and previews
an article at phone and desktop width."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from masthead.newsroom import roles
from tests.test_comments_browser import DESKTOP, shoot

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

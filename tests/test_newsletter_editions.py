"""Editions of the newsletter: rendering, digests, sending through a real SMTP server (aiosmtpd)
with its refusals, and the admin's views with bad input."""

import email
import email.policy
import smtplib
from datetime import datetime, time, timedelta

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from masthead.newsletter import editions, links, sending
from masthead.newsletter.models import (
    Delivery,
    Digest,
    Edition,
    NewsletterList,
    Subscriber,
    Subscription,
)
from masthead.newsletter.tasks import run_digest, schedule_digest, send_edition

pytestmark = pytest.mark.django_db


def subscribe(newsletter, *addresses):
    now = timezone.now()
    subscribers = Subscriber.objects.bulk_create(
        [Subscriber(email=address, confirmed_at=now) for address in addresses]
    )
    subscribers = list(Subscriber.objects.filter(email__in=addresses).order_by("pk"))
    Subscription.objects.bulk_create(
        [Subscription(subscriber=s, newsletter=newsletter, confirmed_at=now) for s in subscribers]
    )
    return subscribers


@pytest.fixture
def daily(db):
    return NewsletterList.objects.create(name="Daily Briefing", slug="daily-briefing")


@pytest.fixture
def edition(paper, daily):
    story = paper.article(title="Harbour reopens after the storm")
    return Edition.objects.create(
        newsletter=daily,
        subject="Tuesday's briefing",
        preheader="The harbour, and more",
        body=[
            ("text", '<p>Good morning. Read <a href="/news/">the news</a>.</p>'),
            ("article", story),
        ],
    )


def send(edition):
    """Start the send and run its tasks (enqueued on commit), as the worker would."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert sending.start(edition)
    edition.refresh_from_db()
    return edition


# Rendering


def test_the_email_is_inlined_responsive_html_with_absolute_links_and_a_text_twin(
    edition, settings
):
    subject, html, text = editions.render(edition)
    assert subject == "Tuesday's briefing"
    assert "<table" in html and 'style="' in html
    assert "@media only screen and (max-width: 620px)" in html  # kept for small screens
    assert f'href="{settings.SITE_URL}/news/"' in html
    assert 'href="/' not in html and 'src="/' not in html
    assert f'src="{settings.SITE_URL}/' in html  # the lead image's rendition
    assert "Harbour reopens after the storm" in html and "The Test Times" in html
    assert html.count(editions.PREFERENCES) == 1 and html.count(editions.UNSUBSCRIBE) == 1
    assert "Harbour reopens after the storm" in text and "Good morning." in text
    assert "<" not in text.replace("<http", "")
    assert text.count(editions.UNSUBSCRIBE) == 1


def test_script_in_a_text_block_never_reaches_the_email(paper, daily):
    hostile = Edition.objects.create(
        newsletter=daily,
        subject="<script>alert(1)</script>",
        body=[("text", "<p>Hi</p><script>alert(2)</script><img src=x onerror=alert(3)>")],
    )
    subject, html, text = editions.render(hostile)
    assert "<script>" not in html and "onerror" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_an_unpublished_article_is_left_out(edition):
    article = edition.body[1].value
    article.unpublish()
    html = editions.render(edition)[1]
    assert "Harbour reopens" not in html


def test_the_message_id_names_the_edition_and_the_subscriber_under_the_site(settings):
    settings.SITE_URL = "https://news.example.org"
    assert editions.message_id(12, 345) == "<edition-12.subscriber-345@news.example.org>"


# Sending through a real SMTP server


def test_a_send_reaches_every_subscriber_once_with_their_links_and_headers(
    edition, daily, smtp_server, settings
):
    readers = subscribe(daily, "ana@example.org", "ben@example.org", "cy@example.org")
    other = NewsletterList.objects.create(name="Breaking News", slug="breaking-news")
    subscribe(other, "elsewhere@example.org")
    Subscriber.objects.create(email="unconfirmed@example.org")
    send(edition)
    edition.refresh_from_db()
    assert edition.status == Edition.Status.SENT
    received = {m["To"]: m for m in smtp_server.messages}
    assert sorted(received) == ["ana@example.org", "ben@example.org", "cy@example.org"]
    for reader in readers:
        message = received[reader.email]
        assert message["Message-ID"] == editions.message_id(edition.pk, reader.pk)
        assert message["Subject"] == "Tuesday's briefing"
        unsubscribe = links.unsubscribe_url(reader, daily).split("unsubscribe/")[0]
        assert message["List-Unsubscribe"].strip().startswith(f"<{unsubscribe}unsubscribe/")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        html = message.get_body(("html",)).get_content()
        text = message.get_body(("plain",)).get_content()
        url = message["List-Unsubscribe"].strip().strip("<>")
        assert url in html and url in text
        assert links.subscription_to_end(url.rstrip("/").rsplit("/", 1)[1]) == (reader, daily.pk)
        assert "%%" not in html and "%%" not in text
    headers = links.unsubscribe_headers(readers[0], daily)
    assert headers["List-Unsubscribe"].startswith("<") and headers["List-Unsubscribe"].endswith(">")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sending.progress(edition) == {
        **sending.progress(edition),
        "sent": 3,
        "failed": 0,
        "remaining": 0,
        "percent": 100,
    }


def parsed(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def test_a_prepared_message_is_the_message_django_builds(edition, daily, settings):
    [reader] = subscribe(daily, "ana@example.org")
    assert sending.start(edition)
    sending.create_deliveries(edition)
    delivery = Delivery.objects.get()
    prepared = sending.Prepared(edition).bytes_for(delivery)
    django_made = sending.message(edition, delivery, None).message().as_bytes(linesep="\r\n")
    ours, theirs = parsed(prepared), parsed(django_made)
    for header in ("Subject", "From", "To", "Date", "Message-ID", "List-Unsubscribe-Post"):
        assert ours[header] == theirs[header]
    # Django folds the long header; both say the same address
    assert ours["List-Unsubscribe"].strip() == theirs["List-Unsubscribe"].strip()
    assert ours["Message-ID"] == editions.message_id(edition.pk, reader.pk)
    for kind in ("plain", "html"):
        assert ours.get_body((kind,)).get_content() == theirs.get_body((kind,)).get_content()
    assert b"%%" not in prepared and sending.RECIPIENT.encode() not in prepared


def test_a_message_prepared_bytes_cannot_carry_is_built_by_django(edition, daily):
    subscribe(daily, "ana@example.org")
    assert sending.start(edition)
    sending.create_deliveries(edition)
    delivery = Delivery.objects.get()
    prepared = sending.Prepared(edition)
    delivery.email = "anaïs@example.org"  # not ASCII
    assert prepared.bytes_for(delivery) is None
    delivery.email = "ana@example.org"
    delivery.unsubscribe_url += "x" * 1000  # a line longer than SMTP takes
    assert prepared.bytes_for(delivery) is None
    edition.frozen_html = "<p>" + "long line " * 200 + "</p>"  # Django encodes it
    assert sending.Prepared(edition).raw is None


def test_a_batch_goes_over_several_connections_each_message_once(
    edition, daily, smtp_server, settings
):
    settings.NEWSLETTER_CONNECTIONS = 3
    settings.NEWSLETTER_BATCH_SIZE = 50
    readers = subscribe(daily, *(f"r{i}@example.org" for i in range(10)))
    peers = set()
    handle = smtp_server.handle_DATA

    async def handle_DATA(server, session, envelope):
        peers.add(session.peer)
        return await handle(server, session, envelope)

    smtp_server.handle_DATA = handle_DATA
    send(edition)
    assert len(peers) == 3
    assert sorted(m["Message-ID"] for m in smtp_server.messages) == sorted(
        editions.message_id(edition.pk, reader.pk) for reader in readers
    )
    assert set(Delivery.objects.values_list("status", "claim")) == {(Delivery.Status.SENT, "")}
    edition.refresh_from_db()
    assert edition.status == Edition.Status.SENT


def test_sending_twice_makes_one_send(edition, daily, smtp_server):
    subscribe(daily, "ana@example.org")
    send(edition)
    assert not sending.start(edition)
    assert len(smtp_server.messages) == 1
    assert Delivery.objects.count() == 1


def test_an_archived_list_is_not_sent_to(edition, daily, smtp_server):
    subscribe(daily, "ana@example.org")
    daily.archived = True
    daily.save()
    assert not sending.start(edition)
    assert smtp_server.messages == []


class Refusing:
    """An aiosmtpd handler refusing some recipients at RCPT or DATA with a given answer."""

    def __init__(self, answers):
        self.answers, self.messages = answers, []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        answer = self.answers.get(("RCPT", address))
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        answer = self.answers.get(("DATA", envelope.rcpt_tos[0]))
        if answer:
            return answer
        self.messages.append(envelope.rcpt_tos[0])
        return "250 Accepted"


@pytest.fixture
def refusing_server(settings):
    from aiosmtpd.controller import Controller

    from tests.servers import free_port

    servers = []

    def start(answers):
        handler = Refusing(answers)
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        servers.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        return handler

    yield start
    for controller in servers:
        controller.stop()


def test_hard_bounces_stop_mail_to_the_address_and_soft_ones_are_retried_then_failed(
    edition, daily, refusing_server, settings
):
    settings.NEWSLETTER_MAX_ATTEMPTS = 2
    settings.NEWSLETTER_RETRY_SECONDS = 0
    subscribe(daily, "ok@example.org", "gone@example.org", "full@example.org", "soft@example.org")
    server = refusing_server(
        {
            ("RCPT", "gone@example.org"): "550 5.1.1 No such user",
            ("DATA", "full@example.org"): "552 5.2.2 Mailbox full",
            ("RCPT", "soft@example.org"): "451 4.3.0 Try again later",
        }
    )
    send(edition)
    edition.refresh_from_db()
    assert server.messages == ["ok@example.org"]
    by_email = {d.email: d for d in Delivery.objects.all()}
    assert by_email["ok@example.org"].status == Delivery.Status.SENT
    assert by_email["gone@example.org"].status == Delivery.Status.BOUNCED
    assert "550" in by_email["gone@example.org"].error
    assert by_email["full@example.org"].status == Delivery.Status.BOUNCED
    assert "DATA 552" in by_email["full@example.org"].error
    soft = by_email["soft@example.org"]
    assert soft.status == Delivery.Status.FAILED and soft.attempts == 2
    assert "451" in soft.error
    gone = Subscriber.objects.get(email="gone@example.org")
    assert gone.bounced_at is not None and "No such user" in gone.bounce_reason
    assert Subscriber.objects.get(email="ok@example.org").bounced_at is None
    assert edition.status == Edition.Status.SENT
    assert sending.progress(edition)["failed"] == 3
    # and the next edition skips the bounced addresses
    second = Edition.objects.create(newsletter=daily, subject="Wednesday")
    send(second)
    assert sorted(second.deliveries.values_list("email", flat=True)) == [
        "ok@example.org",
        "soft@example.org",
    ]


def test_a_mail_server_that_is_down_leaves_the_deliveries_to_retry(edition, daily, settings):
    from tests.servers import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    settings.NEWSLETTER_RETRY_SECONDS = 600
    subscribe(daily, "ana@example.org")
    send(edition)
    edition.refresh_from_db()
    [delivery] = Delivery.objects.all()
    assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 1
    assert delivery.retry_at > timezone.now() + timedelta(seconds=500)
    assert "No connection to the mail server" in delivery.error
    assert edition.status == Edition.Status.SENDING


def test_the_refusal_of_each_smtp_error(daily):
    assert sending.refusal(smtplib.SMTPRecipientsRefused({"a@b.c": (550, b"no")}))[0] is True
    assert sending.refusal(smtplib.SMTPRecipientsRefused({"a@b.c": (452, b"full")}))[0] is False
    assert sending.refusal(smtplib.SMTPDataError(554, b"spam"))[0] is True
    assert sending.refusal(smtplib.SMTPDataError(451, b"later"))[0] is False
    assert sending.refusal(smtplib.SMTPSenderRefused(550, b"no", "us@x"))[0] is False
    assert sending.refusal(smtplib.SMTPServerDisconnected("gone"))[0] is False
    assert sending.refusal(ConnectionResetError("reset"))[0] is False


def test_an_unsubscribe_during_the_send_is_respected(edition, daily, smtp_server, settings):
    settings.TASKS = {**settings.TASKS, "worker": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    ana, ben = subscribe(daily, "ana@example.org", "ben@example.org")
    assert sending.start(edition)
    sending.create_deliveries(edition)
    Subscription.objects.filter(subscriber=ben).update(unsubscribed_at=timezone.now())
    assert sending.step(edition.pk, edition.run, "here:1:x") == sending.CONTINUE
    assert [m["To"] for m in smtp_server.messages] == ["ana@example.org"]
    assert Delivery.objects.get(subscriber=ben).status == Delivery.Status.SKIPPED


def test_claims_of_a_dead_worker_are_put_back_and_a_live_ones_kept(edition, daily, settings):
    settings.TASKS = {**settings.TASKS, "worker": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    subscribe(daily, *(f"r{i}@example.org" for i in range(6)))
    assert sending.start(edition)
    sending.create_deliveries(edition)
    from masthead.core.worker import hostname, new_worker_id

    dead = f"{hostname()}:999999999:dead"
    alive = new_worker_id().replace("masthead", "")
    assert len(sending.claim(edition, dead, 2)) == 2
    assert len(sending.claim(edition, alive, 2)) == 2
    # this process is no db_worker; a worker's own claims left behind are put back too
    assert sending.recover(edition, alive) == 4
    assert edition.deliveries.filter(status=Delivery.Status.PENDING).count() == 6


def test_pause_resume_and_cancel(edition, daily, smtp_server, settings):
    settings.TASKS = {**settings.TASKS, "worker": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.NEWSLETTER_BATCH_SIZE = 2
    subscribe(daily, *(f"r{i}@example.org" for i in range(5)))
    assert sending.start(edition)
    first_run = edition.run
    assert sending.step(edition.pk, first_run, "here:1:x") == sending.CONTINUE
    assert sending.pause(edition)
    assert sending.step(edition.pk, first_run, "here:1:x") is None  # paused: nothing sent
    assert len(smtp_server.messages) == 2
    assert sending.resume(edition)
    edition.refresh_from_db()
    assert sending.step(edition.pk, first_run, "here:1:x") is None  # the old chain stops
    assert sending.step(edition.pk, edition.run, "here:1:x") == sending.CONTINUE
    assert len(smtp_server.messages) == 4
    assert sending.cancel(edition)
    assert sending.step(edition.pk, edition.run, "here:1:x") is None
    assert len(smtp_server.messages) == 4
    assert sending.progress(edition)["skipped"] == 1
    assert not sending.resume(edition)


def test_the_subject_edited_during_a_send_changes_nothing_sent(
    edition, daily, smtp_server, settings
):
    settings.TASKS = {**settings.TASKS, "worker": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.NEWSLETTER_BATCH_SIZE = 1
    subscribe(daily, "ana@example.org", "ben@example.org")
    assert sending.start(edition)
    sending.step(edition.pk, edition.run, "here:1:x")
    Edition.objects.filter(pk=edition.pk).update(subject="Changed")
    sending.step(edition.pk, edition.run, "here:1:x")
    assert [m["Subject"] for m in smtp_server.messages] == ["Tuesday's briefing"] * 2


# Digests


@pytest.fixture
def digest(paper, daily):
    digest = Digest.objects.create(newsletter=daily, send_time=time(7, 0))
    digest.sections.add(paper.news)
    return digest


def test_the_next_run_is_at_the_time_each_day_or_week(digest):
    now = timezone.make_aware(datetime(2026, 3, 4, 8, 0))  # a Wednesday
    assert editions.next_run(digest, now) == timezone.make_aware(datetime(2026, 3, 5, 7, 0))
    digest.frequency, digest.weekday = Digest.Frequency.WEEKLY, 0
    assert editions.next_run(digest, now) == timezone.make_aware(datetime(2026, 3, 9, 7, 0))
    digest.weekday = 2
    assert editions.next_run(digest, now) == timezone.make_aware(datetime(2026, 3, 11, 7, 0))


def test_a_digest_assembles_the_top_stories_and_the_sections_newest_and_goes_out(
    paper, digest, daily, smtp_server
):
    from masthead.articles.models import TopStory

    fresh = timezone.now() - timedelta(minutes=5)  # the fixture's default dates go back hours
    top = paper.article(paper.economics, title="Rates are cut", date=fresh)
    TopStory.objects.create(page=paper.top_stories, article=top, sort_order=0)
    world = paper.article(paper.world, title="Talks resume in Geneva", date=fresh)
    paper.article(paper.world, title="Old news", date=timezone.now() - timedelta(days=3))
    subscribe(daily, "ana@example.org")
    moment = timezone.now()
    digest.next_run_at = moment
    digest.save()
    with TestCase.captureOnCommitCallbacks(execute=True):
        run_digest.call(digest.pk, moment.isoformat())
    edition = Edition.objects.get(digest=digest)
    assert [block.value.pk for block in edition.body] == [top.pk, world.pk]
    assert edition.status == Edition.Status.SENT
    [message] = smtp_server.messages
    html = message.get_body(("html",)).get_content()
    assert "Rates are cut" in html and "Talks resume in Geneva" in html and "Old news" not in html
    digest.refresh_from_db()
    assert digest.last_sent_at == moment
    assert digest.next_run_at == editions.next_run(digest, moment)
    # run again (a task run twice): the same edition, nothing sent again
    Digest.objects.filter(pk=digest.pk).update(next_run_at=moment)
    run_digest.call(digest.pk, moment.isoformat())
    assert Edition.objects.filter(digest=digest).count() == 1
    assert len(smtp_server.messages) == 1


def test_a_digest_with_nothing_new_is_not_sent(paper, digest, daily, smtp_server):
    paper.article(paper.world, title="Old news", date=timezone.now() - timedelta(days=3))
    subscribe(daily, "ana@example.org")
    moment = timezone.now()
    Digest.objects.filter(pk=digest.pk).update(next_run_at=moment)
    run_digest.call(digest.pk, moment.isoformat())
    assert not Edition.objects.exists()
    assert smtp_server.messages == []
    digest.refresh_from_db()
    assert digest.next_run_at > moment  # and the next run is queued all the same


def test_a_run_queued_before_the_settings_changed_does_nothing(paper, digest, daily, smtp_server):
    paper.article(paper.world, title="Fresh", date=timezone.now() - timedelta(minutes=5))
    subscribe(daily, "ana@example.org")
    moment = timezone.now()
    Digest.objects.filter(pk=digest.pk).update(next_run_at=moment + timedelta(hours=1))
    run_digest.call(digest.pk, moment.isoformat())
    assert not Edition.objects.exists()


def test_changing_the_digest_queues_its_next_run_in_the_worker(digest, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {**settings.TASKS, "worker": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with TestCase.captureOnCommitCallbacks(execute=True):
        moment = schedule_digest(digest)
    [queued] = DBTaskResult.objects.filter(task_path__endswith="run_digest")
    assert queued.run_after == moment
    assert queued.args_kwargs["args"] == [digest.pk, moment.isoformat()]
    assert send_edition  # the send's task, named for the worker


# The admin


@pytest.fixture
def editor(client, paper):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_superuser(
        "editor", "editor@example.org", "a long password 123"
    )
    client.force_login(user)
    return client


def manage_url(edition, name="manage"):
    return reverse(f"newsletter_editions:{name}", args=[edition.pk])


def act(client, edition, **data):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(manage_url(edition, "act"), data)


def test_the_editions_page_previews_and_the_listing(editor, edition, daily):
    subscribe(daily, "ana@example.org")
    response = editor.get(manage_url(edition))
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 subscriber now" in page and "Send now" in page and "Draft" in page
    html = editor.get(manage_url(edition, "html"))
    assert html.status_code == 200 and b"Harbour reopens after the storm" in html.content
    assert b"%%" not in html.content
    text = editor.get(manage_url(edition, "text"))
    assert text.status_code == 200 and text["Content-Type"] == "text/plain; charset=utf-8"
    assert "Harbour reopens after the storm" in text.content.decode()
    listing = editor.get(reverse("wagtailsnippets_newsletter_edition:list"))
    assert listing.status_code == 200 and manage_url(edition) in listing.content.decode()
    progress = editor.get(manage_url(edition, "progress"))
    assert progress.status_code == 200 and progress.json()["total"] == 0


NO_WORKER = "No task worker is running"


def test_the_edition_page_warns_when_no_worker_runs(editor, edition, daily, settings):
    from masthead.core.worker import beat

    settings.TASKS = {**settings.TASKS, "worker": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    subscribe(daily, "ana@example.org")
    page = editor.get(manage_url(edition))
    assert page.status_code == 200
    assert NO_WORKER in page.content.decode() and "“Send now”" in page.content.decode()
    sent = act(editor, edition, action="send")
    assert sent.status_code == 302
    page = editor.get(sent["Location"])
    assert page.status_code == 200
    content = page.content.decode()
    assert "Sending has started." in content
    assert "nothing of this edition goes out until one is started" in content  # the message
    assert "This send is stalled" in content  # and the page
    beat("here:1:x", "worker")
    page = editor.get(manage_url(edition))
    assert page.status_code == 200 and NO_WORKER not in page.content.decode()


def test_a_reader_may_not_open_an_edition(client, edition, paper):
    from django.contrib.auth import get_user_model

    reader = get_user_model().objects.create_user("reader", "reader@example.org", "pw 12345678")
    client.force_login(reader)
    response = client.get(manage_url(edition))
    assert response.status_code == 403
    assert Edition.objects.get(pk=edition.pk).status == Edition.Status.DRAFT


def test_an_edition_that_does_not_exist_is_a_404(editor, edition):
    response = editor.get(reverse("newsletter_editions:manage", args=[edition.pk + 1000]))
    assert response.status_code == 404


def test_send_now_clicked_twice_sends_once(editor, edition, daily, smtp_server):
    subscribe(daily, "ana@example.org", "ben@example.org")
    first = act(editor, edition, action="send")
    second = act(editor, edition, action="send")
    assert first.status_code == 302 and second.status_code == 302
    assert len(smtp_server.messages) == 2
    followed = editor.get(second.url)
    assert followed.status_code == 200
    page = followed.content.decode()
    assert "not a draft any more" in page
    assert "Sent" in page and "Send now" not in page


def test_a_test_send_goes_to_the_editor_only(editor, edition, daily, smtp_server):
    subscribe(daily, "ana@example.org")
    response = act(editor, edition, action="test", address="editor@example.org")
    assert response.status_code == 302
    [message] = smtp_server.messages
    assert message["To"] == "editor@example.org"
    assert message["Subject"] == "[Test] Tuesday's briefing"
    assert Edition.objects.get(pk=edition.pk).status == Edition.Status.DRAFT
    assert not Delivery.objects.exists()


@pytest.mark.parametrize(
    "address",
    ["", "not an address", "a@example.org\r\nBcc: victim@example.org", "x" * 10_000 + "@a.org"],
)
def test_a_test_send_to_a_malformed_address_says_so(editor, edition, smtp_server, address):
    response = act(editor, edition, action="test", address=address)
    assert response.status_code == 400
    assert "The test was not sent" in response.content.decode()
    assert smtp_server.messages == []


@pytest.mark.parametrize(
    "moment", ["", "yesterday", "2001-01-01T10:00", "9999-12-31T23:59", "<script>"]
)
def test_a_bad_moment_to_schedule_says_so(editor, edition, moment):
    response = act(editor, edition, action="schedule", moment=moment)
    assert response.status_code == 400
    assert "Not scheduled" in response.content.decode()
    assert Edition.objects.get(pk=edition.pk).status == Edition.Status.DRAFT


def test_scheduling_queues_the_send_at_its_moment(editor, edition, daily, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {**settings.TASKS, "worker": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    moment = (timezone.localtime() + timedelta(days=1)).replace(second=0, microsecond=0)
    response = act(editor, edition, action="schedule", moment=moment.strftime("%Y-%m-%dT%H:%M"))
    assert response.status_code == 302
    edition.refresh_from_db()
    assert edition.status == Edition.Status.SCHEDULED and edition.scheduled_at == moment
    [queued] = DBTaskResult.objects.filter(task_path__endswith="start_scheduled")
    assert queued.run_after == moment


def test_a_scheduled_send_starts_only_at_the_moment_it_was_queued_for(edition, daily, smtp_server):
    from masthead.newsletter.tasks import schedule, start_scheduled

    subscribe(daily, "ana@example.org")
    moment = timezone.now() + timedelta(hours=1)
    assert schedule(edition, moment)
    start_scheduled.call(edition.pk, (moment - timedelta(hours=2)).isoformat())  # rescheduled
    assert smtp_server.messages == []
    with TestCase.captureOnCommitCallbacks(execute=True):
        start_scheduled.call(edition.pk, moment.isoformat())
    assert len(smtp_server.messages) == 1


def test_an_unknown_action_and_an_archived_list_say_so(editor, edition, daily, smtp_server):
    subscribe(daily, "ana@example.org")
    response = act(editor, edition, action="<script>alert(1)</script>")
    assert response.status_code == 302
    assert "Choose an action" in editor.get(response.url).content.decode()
    NewsletterList.objects.filter(pk=daily.pk).update(archived=True)
    response = act(editor, edition, action="send")
    assert response.status_code == 302
    assert "is archived" in editor.get(response.url).content.decode()
    assert smtp_server.messages == []


def edit_data(edition, **changes):
    data = {
        "newsletter": edition.newsletter_id,
        "subject": edition.subject,
        "preheader": "",
        "body-count": "0",
    }
    return {**data, **changes}


def test_the_edit_form_refuses_huge_and_hostile_input_and_a_sent_edition(
    editor, edition, daily, smtp_server
):
    url = reverse("wagtailsnippets_newsletter_edition:edit", args=[edition.pk])
    response = editor.post(url, edit_data(edition, subject="x" * 10_000))
    assert response.status_code == 200
    assert "Ensure this value has at most 150 characters" in response.content.decode()
    response = editor.post(url, edit_data(edition, newsletter="999999"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    response = editor.post(url, edit_data(edition, subject="<script>alert(1)</script>"))
    assert response.status_code == 302
    edition.refresh_from_db()
    assert "&lt;script&gt;" in editions.render(edition)[1]
    send(edition)
    response = editor.post(url, edit_data(edition, subject="Changed after the send"))
    assert response.status_code == 200
    assert "frozen when sending started" in response.content.decode()
    assert Edition.objects.get(pk=edition.pk).subject == "<script>alert(1)</script>"


def test_pause_resume_and_cancel_from_the_admin(editor, edition, daily, settings):
    settings.TASKS = {**settings.TASKS, "worker": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    subscribe(daily, "ana@example.org")
    assert act(editor, edition, action="send").status_code == 302
    assert act(editor, edition, action="pause").status_code == 302
    assert Edition.objects.get(pk=edition.pk).status == Edition.Status.PAUSED
    assert act(editor, edition, action="resume").status_code == 302
    assert Edition.objects.get(pk=edition.pk).status == Edition.Status.SENDING
    assert act(editor, edition, action="cancel").status_code == 302
    assert Edition.objects.get(pk=edition.pk).status == Edition.Status.CANCELLED
    response = act(editor, edition, action="resume")
    assert "Nothing to resume" in editor.get(response.url).content.decode()


def test_saving_a_digest_in_the_admin_queues_its_next_run(editor, daily, paper, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {**settings.TASKS, "worker": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = editor.post(
            reverse("wagtailsnippets_newsletter_digest:add"),
            {
                "newsletter": daily.pk,
                "enabled": "on",
                "frequency": "weekly",
                "weekday": "4",
                "send_time": "06:30",
                "subject": "",
                "top_stories": "on",
                "sections": [paper.news.pk],
                "articles_per_section": "3",
            },
        )
    assert response.status_code == 302
    digest = Digest.objects.get(newsletter=daily)
    assert timezone.localtime(digest.next_run_at).weekday() == 4
    [queued] = DBTaskResult.objects.filter(task_path__endswith="run_digest")
    assert queued.run_after == digest.next_run_at
    bad = editor.post(
        reverse("wagtailsnippets_newsletter_digest:edit", args=[digest.pk]),
        {"newsletter": daily.pk, "frequency": "hourly", "weekday": "9", "send_time": "25:99"},
    )
    assert bad.status_code == 200
    assert "Select a valid choice" in bad.content.decode()

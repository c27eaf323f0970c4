"""Sending an edition exactly once to each subscriber, as far as SMTP allows.

- When sending starts, the edition's subject, HTML and text are rendered and frozen
  (`start`); then the worker creates a `Delivery` per recipient with the address and signed
  links of that moment (`create_deliveries`), in one transaction.
- The worker claims a batch of pending deliveries (an UPDATE ... WHERE status='pending' with
  a claim token naming the worker; on PostgreSQL the candidates are picked `FOR UPDATE SKIP
  LOCKED`, so that several workers share a send), sends them over NEWSLETTER_CONNECTIONS
  connections at once, one message at a time on each, and marks each sent as soon as the mail
  server has accepted it, before that connection sends the next. A killed worker leaves at
  most the message each connection was sending unmarked: the next worker sends those again
  (the same messages, same Message-ID and body), and no other.
- Claims of a worker that is gone are put back (`recover`, with masthead.core.worker's test of
  whether a worker lives). A 4xx answer or a lost connection is retried with backoff, then the
  delivery is failed; a 5xx answer to RCPT or DATA is a hard bounce and stops mail to the
  address. Only Django's e-mail API is used, so any e-mail backend works.
"""

import contextlib
import logging
import queue
import re
import smtplib
import threading
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import connection as db
from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone
from django.utils.crypto import get_random_string

from masthead.core.worker import worker_alive
from masthead.newsletter import editions, links
from masthead.newsletter.models import Delivery, Edition, Subscriber

logger = logging.getLogger(__name__)
Status = Delivery.Status
CONTINUE = "continue"
CHECK_OTHERS_AFTER = timedelta(seconds=30)


def batch_size():
    return settings.NEWSLETTER_BATCH_SIZE


def max_attempts():
    return settings.NEWSLETTER_MAX_ATTEMPTS


def retry_after(attempts):
    """Backoff: NEWSLETTER_RETRY_SECONDS, then twice that, four times..."""
    return timedelta(seconds=settings.NEWSLETTER_RETRY_SECONDS) * (2 ** (attempts - 1))


# What the editors do


def start(edition):
    """Freeze the edition's content and start sending it; False when it was started already
    (a double click on "Send now" makes one send)."""
    from masthead.newsletter.tasks import send_edition

    subject, html, text = editions.render(edition)
    run = get_random_string(12)
    with transaction.atomic():
        started = Edition.objects.filter(
            pk=edition.pk, status__in=Edition.EDITABLE, newsletter__archived=False
        ).update(
            status=Edition.Status.SENDING,
            frozen_subject=subject,
            frozen_html=html,
            frozen_text=text,
            started_at=timezone.now(),
            run=run,
        )
        if started:
            transaction.on_commit(lambda: send_edition.enqueue(edition.pk, run))
    edition.refresh_from_db()
    return bool(started)


def pause(edition):
    return bool(
        Edition.objects.filter(pk=edition.pk, status=Edition.Status.SENDING).update(
            status=Edition.Status.PAUSED
        )
    )


def resume(edition):
    """Go on with a paused send (or restart the tasks of one that stalled): a new chain of
    tasks; any still queued of the old one does nothing."""
    from masthead.newsletter.tasks import send_edition

    run = get_random_string(12)
    with transaction.atomic():
        resumed = Edition.objects.filter(
            pk=edition.pk, status__in=[Edition.Status.PAUSED, Edition.Status.SENDING]
        ).update(status=Edition.Status.SENDING, run=run)
        if resumed:
            transaction.on_commit(lambda: send_edition.enqueue(edition.pk, run))
    return bool(resumed)


def cancel(edition):
    """Stop a send (or a schedule): what is not sent yet is not sent; the batch a worker holds
    goes out."""
    with transaction.atomic():
        cancelled = Edition.objects.filter(
            pk=edition.pk,
            status__in=[Edition.Status.SCHEDULED, Edition.Status.SENDING, Edition.Status.PAUSED],
        ).update(status=Edition.Status.CANCELLED, finished_at=timezone.now())
        if cancelled:
            edition.deliveries.filter(status=Status.PENDING).update(
                status=Status.SKIPPED, error="The send was cancelled."
            )
    return bool(cancelled)


def progress(edition):
    counts = dict(
        edition.deliveries.values_list("status").annotate(n=Count("id")).order_by("status")
    )
    sent = counts.get(Status.SENT, 0)
    failed = counts.get(Status.FAILED, 0) + counts.get(Status.BOUNCED, 0)
    skipped = counts.get(Status.SKIPPED, 0)
    remaining = counts.get(Status.PENDING, 0) + counts.get(Status.CLAIMED, 0)
    total = sent + failed + skipped + remaining
    return {
        "status": edition.status,
        "status_label": edition.get_status_display(),
        "total": total,
        "sent": sent,
        "failed": failed,
        "skipped": skipped,
        "remaining": remaining,
        "percent": round(100 * (total - remaining) / total) if total else 0,
        "preparing": edition.status == Edition.Status.SENDING and not edition.deliveries_created,
    }


# What the worker does


def create_deliveries(edition):
    """A pending delivery for each subscriber the edition goes to, with their address and links
    as they are now; all of them or none."""
    with transaction.atomic():
        locked = Edition.objects.select_for_update().get(pk=edition.pk)
        if locked.deliveries_created:
            return
        newsletter = edition.newsletter
        subscribers = Subscriber.objects.receiving(newsletter).only("pk", "email").order_by("pk")
        chunk = []
        for subscriber in subscribers.iterator(chunk_size=2000):
            chunk.append(
                Delivery(
                    edition=edition,
                    subscriber=subscriber,
                    email=subscriber.email,
                    preferences_url=links.preferences_url(subscriber),
                    unsubscribe_url=links.unsubscribe_url(subscriber, newsletter),
                )
            )
            if len(chunk) == 1000:
                Delivery.objects.bulk_create(chunk, ignore_conflicts=True)
                chunk = []
        Delivery.objects.bulk_create(chunk, ignore_conflicts=True)
        Edition.objects.filter(pk=edition.pk).update(deliveries_created=True)
    edition.deliveries_created = True


def claim_worker(claim):
    return claim.rpartition("/")[0]


def recover(edition, worker):
    """Put back the claims of workers that are gone (and this worker's own, left by a task of
    its that failed: a worker runs one task at a time); returns how many."""
    abandoned_after = timedelta(seconds=getattr(settings, "TASKS_ABANDONED_AFTER", 3600))
    claimed = edition.deliveries.filter(status=Status.CLAIMED)
    released = 0
    for claim in set(claimed.values_list("claim", flat=True)):
        owner = claim_worker(claim)
        alive = False if owner == worker else worker_alive(owner)
        stale = claimed.filter(claim=claim)
        if alive is None:
            stale = stale.filter(claimed_at__lt=timezone.now() - abandoned_after)
        elif alive:
            continue
        released += stale.update(status=Status.PENDING, claim="", claimed_at=None)
    if released:
        logger.warning(
            "Edition %s: %s deliveries of a worker that died put back", edition.pk, released
        )
    return released


def claim(edition, worker, size):
    """Claim up to `size` pending deliveries for `worker`; returns them."""
    token = f"{worker}/{get_random_string(8)}"
    now = timezone.now()
    due = edition.deliveries.filter(status=Status.PENDING).exclude(retry_at__gt=now)
    with transaction.atomic():
        if db.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.order_by("pk").values_list("pk", flat=True)[:size])
        Delivery.objects.filter(pk__in=ids, status=Status.PENDING).update(
            status=Status.CLAIMED, claim=token, claimed_at=now
        )
    batch = list(Delivery.objects.filter(claim=token, status=Status.CLAIMED).order_by("pk"))
    receiving = set(
        Subscriber.objects.receiving(edition.newsletter)
        .filter(pk__in=[d.subscriber_id for d in batch])
        .values_list("pk", flat=True)
    )
    gone = [d.pk for d in batch if d.subscriber_id not in receiving]
    if gone:  # unsubscribed or bounced since the send started
        Delivery.objects.filter(pk__in=gone).update(
            status=Status.SKIPPED, claim="", error="No longer on the list when its turn came."
        )
    return [d for d in batch if d.subscriber_id in receiving]


def message(edition, delivery, connection):
    headers = {
        "Message-ID": editions.message_id(edition.pk, delivery.subscriber_id),
        "Date": editions.message_date(edition),
        **links.one_click_headers(delivery.unsubscribe_url),
    }
    personal = (delivery.preferences_url, delivery.unsubscribe_url)
    email = EditionEmail(
        subject=edition.frozen_subject,
        body=editions.personalise(edition.frozen_text, *personal),
        to=[delivery.email],
        headers=headers,
        connection=connection,
    )
    email.attach_alternative(editions.personalise(edition.frozen_html, *personal), "text/html")
    return email


class EditionEmail(EmailMultiAlternatives):
    """A message of an edition: Django's own, which any backend reads (django-anymail reads
    its fields); for the SMTP backend, its bytes may come `prepared`."""

    prepared = None

    def message(self):
        return super().message() if self.prepared is None else PreparedMIME(self.prepared)


class PreparedMIME:
    """What Django's SMTP backend asks of a MIME message: its bytes."""

    def __init__(self, raw):
        self.raw = raw

    def as_bytes(self, unixfrom=False, linesep="\n"):
        return self.raw if linesep == "\r\n" else self.raw.replace(b"\r\n", linesep.encode())


# Markers in the prepared message where each subscriber's own address and Message-ID go.
RECIPIENT = "recipient@prepared.invalid"
SUBSCRIBER_ID = "%%subscriber_id%%"
RFC5322_LINE_LIMIT = 998


class Prepared:
    """An edition's message as Django builds it, built once with markers where each
    subscriber's address, Message-ID and links go: a subscriber's message is these bytes with
    their own put in, which costs a small part of building a MIME message for each
    (bench/newsletter.py). Their values are ASCII without line breaks, so putting them in
    changes no encoding; a message that would not be the same as Django's (a non-ASCII
    address, a line made longer than 998 bytes, a body Django had to encode) is built by
    Django whole."""

    def __init__(self, edition):
        marked = Delivery(
            email=RECIPIENT,
            subscriber_id=SUBSCRIBER_ID,
            preferences_url=editions.PREFERENCES,
            unsubscribe_url=editions.UNSUBSCRIBE,
        )
        raw = message(edition, marked, None).message().as_bytes(linesep="\r\n")
        markers = (RECIPIENT, SUBSCRIBER_ID, editions.PREFERENCES, editions.UNSUBSCRIBE)
        encoded = re.search(rb"Content-Transfer-Encoding: (quoted-printable|base64)", raw)
        usable = not encoded and all(m.encode() in raw for m in markers)
        self.raw = raw if usable else None

    def bytes_for(self, delivery):
        """The message to `delivery` as Django would build it, or None when Django must."""
        values = (
            delivery.email,
            str(delivery.subscriber_id),
            delivery.preferences_url,
            delivery.unsubscribe_url,
        )
        if self.raw is None or not all(v.isascii() and v.isprintable() for v in values):
            return None
        raw = (
            self.raw.replace(RECIPIENT.encode(), values[0].encode())
            .replace(SUBSCRIBER_ID.encode(), values[1].encode())
            .replace(editions.PREFERENCES.encode(), values[2].encode())
            .replace(editions.UNSUBSCRIBE.encode(), values[3].encode())
        )
        if max(map(len, raw.split(b"\r\n"))) > RFC5322_LINE_LIMIT:
            return None
        return raw


def refusal(error):
    """(hard bounce?, reason) of an exception raised by sending one message."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, reason = next(iter(error.recipients.values()), (0, b""))
        text = reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
        return 500 <= code < 600, f"RCPT {code} {text}"
    if isinstance(error, smtplib.SMTPDataError):
        text = error.smtp_error.decode(errors="replace")
        return 500 <= error.smtp_code < 600, f"DATA {error.smtp_code} {text}"
    if isinstance(error, smtplib.SMTPResponseException):  # the sender refused, or 421: ours
        return False, f"{error.smtp_code} {error.smtp_error.decode(errors='replace')}"
    return False, f"{type(error).__name__}: {error}"


def mark(delivery, **fields):
    Delivery.objects.filter(pk=delivery.pk, claim=delivery.claim).update(**fields)


def failed(delivery, reason):
    attempts = delivery.attempts + 1
    if attempts >= max_attempts():
        mark(delivery, status=Status.FAILED, claim="", attempts=attempts, error=reason[:500])
    else:
        mark(
            delivery,
            status=Status.PENDING,
            claim="",
            attempts=attempts,
            error=reason[:500],
            retry_at=timezone.now() + retry_after(attempts),
        )


def bounced(delivery, reason):
    mark(delivery, status=Status.BOUNCED, claim="", error=reason[:500])
    Subscriber.objects.filter(pk=delivery.subscriber_id, bounced_at__isnull=True).update(
        bounced_at=timezone.now(), bounce_reason=reason[:500]
    )


def record(answers):
    """Mark each delivery of `answers`, (delivery, refused), after the server's answer: sent when
    `refused` is None, else bounced or to retry by `refused` (hard bounce?, reason)."""
    sent = [delivery for delivery, refused in answers if refused is None]
    for claim_token in {delivery.claim for delivery in sent}:
        Delivery.objects.filter(
            pk__in=[d.pk for d in sent if d.claim == claim_token], claim=claim_token
        ).update(status=Status.SENT, claim="", sent_at=timezone.now(), error="")
    for delivery, refused in answers:
        if refused is not None:
            (bounced if refused[0] else failed)(delivery, refused[1])


def connections():
    return max(1, settings.NEWSLETTER_CONNECTIONS)


def deliver(edition, batch):
    """Send `batch` (claimed deliveries) over up to NEWSLETTER_CONNECTIONS connections at once.

    Each connection is a thread of its own (`Lane`) that sends its share one message at a time
    and, after each, waits until this thread has marked it (sent, bounced, to retry). A kill so
    leaves at most one message per connection accepted by the server and not marked sent, which
    the next worker sends again, the same. Only this thread uses the database; the answers that
    arrived together are marked in one transaction."""
    prepared = Prepared(edition)
    count = min(connections(), len(batch))
    answers = queue.SimpleQueue()
    lanes = [Lane(edition, prepared, batch[i::count], answers) for i in range(count)]
    for lane in lanes:
        lane.start()
    try:
        running = count
        while running:
            arrived = [answers.get()]
            with contextlib.suppress(queue.Empty):
                while True:
                    arrived.append(answers.get_nowait())
            with transaction.atomic():
                record([(delivery, refused) for _, delivery, refused in arrived if delivery])
            for lane, delivery, _refused in arrived:
                if delivery is None:
                    running -= 1
                else:
                    lane.marked.put(True)
    finally:
        for lane in lanes:  # a lane still waiting (this thread failed) stops
            lane.marked.put(False)
        for lane in lanes:
            lane.join()


class Lane(threading.Thread):
    """One SMTP connection sending its share of a batch: it answers (lane, delivery, refused)
    for each message, `refused` None when the server accepted it, then waits for `marked`
    before the next; (lane, None, None) when it is done."""

    def __init__(self, edition, prepared, deliveries, answers):
        super().__init__(daemon=True, name="newsletter-lane")
        self.edition, self.prepared, self.deliveries = edition, prepared, deliveries
        self.answers, self.marked = answers, queue.SimpleQueue()

    def run(self):
        connection = get_connection()
        try:
            connection.open()
        except Exception as error:  # any backend's failure to connect
            for delivery in self.deliveries:
                self.answers.put(
                    (self, delivery, (False, f"No connection to the mail server: {error}"))
                )
            self.answers.put((self, None, None))
            return
        smtp = isinstance(connection, SMTPBackend)
        try:
            for delivery in self.deliveries:
                email = message(self.edition, delivery, connection)
                if smtp:
                    email.prepared = self.prepared.bytes_for(delivery)
                try:
                    connection.send_messages([email])
                except Exception as error:  # SMTP's or a provider backend's
                    refused = refusal(error)
                    if not refused[0]:
                        reconnect(connection)
                else:
                    refused = None
                self.answers.put((self, delivery, refused))
                if not self.marked.get():
                    return
            self.answers.put((self, None, None))
        finally:
            try:
                connection.close()
            except Exception:
                logger.warning("Closing the mail connection failed", exc_info=True)


def reconnect(connection):
    try:
        connection.close()
        connection.open()
    except Exception:  # the next message says what is wrong
        logger.warning("Reconnecting to the mail server failed", exc_info=True)


def step(edition_id, run, worker):
    """One batch of a send: CONTINUE when the next batch is due at once, a moment when it is
    due then (retries waiting), None when the send is over or no longer this chain's."""
    edition = Edition.objects.select_related("newsletter").filter(pk=edition_id).first()
    if edition is None or edition.run != run or edition.status != Edition.Status.SENDING:
        return None
    if not edition.deliveries_created:
        create_deliveries(edition)
    recover(edition, worker)
    batch = claim(edition, worker, batch_size())
    if batch:
        deliver(edition, batch)
        return CONTINUE
    waiting = edition.deliveries.filter(status__in=[Status.PENDING, Status.CLAIMED])
    if not waiting.exists():
        Edition.objects.filter(pk=edition.pk, status=Edition.Status.SENDING).update(
            status=Edition.Status.SENT, finished_at=timezone.now()
        )
        return None
    if waiting.filter(status=Status.CLAIMED).exists():  # a worker elsewhere holds some
        return timezone.now() + CHECK_OTHERS_AFTER
    return waiting.aggregate(due=Min("retry_at"))["due"] or timezone.now()


def send_test(edition, address):
    """The edition as it would go out now, to `address` (an editor's), with links that lead
    nowhere personal."""
    subject, html, text = editions.render(edition)
    placeholder = settings.SITE_URL + "/"
    email = EmailMultiAlternatives(
        subject=f"[Test] {subject}",
        body=editions.personalise(text, placeholder, placeholder),
        to=[address],
    )
    email.attach_alternative(editions.personalise(html, placeholder, placeholder), "text/html")
    email.send()

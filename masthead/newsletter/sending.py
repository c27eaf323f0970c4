"""Sending an edition exactly once to each subscriber, as far as SMTP allows.

- When sending starts, the edition's subject, HTML and text are rendered and frozen
  (`start`); then the worker creates a `Delivery` per recipient with the address and signed
  links of that moment (`create_deliveries`), in one transaction.
- The worker claims a batch of pending deliveries (an UPDATE ... WHERE status='pending' with
  a claim token naming the worker; on PostgreSQL the candidates are picked `FOR UPDATE SKIP
  LOCKED`, so that several workers share a send), sends them over one connection, and marks
  each sent as soon as the mail server has accepted it. A killed worker leaves at most the
  message it was sending unmarked: the next worker sends that one again (the same message, same
  Message-ID and body), and no other.
- Claims of a worker that is gone are put back (`recover`, with masthead.core.worker's test of
  whether a worker lives). A 4xx answer or a lost connection is retried with backoff, then the
  delivery is failed; a 5xx answer to RCPT or DATA is a hard bounce and stops mail to the
  address. Only Django's e-mail API is used, so any e-mail backend works.
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
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
    email = EmailMultiAlternatives(
        subject=edition.frozen_subject,
        body=editions.personalise(edition.frozen_text, *personal),
        to=[delivery.email],
        headers=headers,
        connection=connection,
    )
    email.attach_alternative(editions.personalise(edition.frozen_html, *personal), "text/html")
    return email


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


def deliver(edition, batch):
    """Send `batch` (claimed deliveries) over one connection, marking each right after the
    server's answer."""
    connection = get_connection()
    try:
        connection.open()
    except Exception as error:  # any backend's failure to connect
        for delivery in batch:
            failed(delivery, f"No connection to the mail server: {error}")
        return
    try:
        for delivery in batch:
            try:
                connection.send_messages([message(edition, delivery, connection)])
            except Exception as error:  # SMTP's or a provider backend's
                hard, reason = refusal(error)
                if hard:
                    bounced(delivery, reason)
                else:
                    failed(delivery, reason)
                    reconnect(connection)
            else:
                mark(delivery, status=Status.SENT, claim="", sent_at=timezone.now(), error="")
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

"""The newsletter's tasks, run by the task worker. The e-mails of subscribing (confirmation,
welcome) go once each however often their task runs (core.tasks.send_once); a send goes
batch by batch, each batch a task that enqueues the next; a scheduled edition and a digest
start at their time (`run_after`, no cron)."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from wagtail.models import Site

from masthead.caching.scheduling import run_at
from masthead.core.tasks import send_once
from masthead.core.worker import new_worker_id
from masthead.newsletter import editions, links, sending
from masthead.newsletter.models import (
    Digest,
    Edition,
    Subscriber,
    SubscriberImport,
    Subscription,
)


def site_name():
    site = Site.objects.filter(is_default_site=True).first()
    return (site.site_name if site else "") or settings.WAGTAIL_SITE_NAME


@task(backend="worker", takes_context=True)
def send_confirmation(context, subscriber_id):
    """The one e-mail of a sign-up, whatever the number of lists: the link that confirms them
    all. It has no List-Unsubscribe: the address is on no list until it is confirmed, and
    ignoring the e-mail is all it takes to stay off."""
    confirmation(subscriber_id, f"newsletter-confirm:{context.task_result.id}")


@task(backend="worker", takes_context=True)
def send_confirmations(context, subscriber_ids):
    """The confirmation e-mails of an import, one task for many addresses."""
    for subscriber_id in subscriber_ids:
        confirmation(subscriber_id, f"newsletter-confirm:{context.task_result.id}:{subscriber_id}")


def confirmation(subscriber_id, key):
    subscriber = Subscriber.objects.filter(pk=subscriber_id, bounced_at=None).first()
    if subscriber is None:
        return
    waiting = list(
        Subscription.objects.filter(
            subscriber=subscriber, confirmed_at=None, unsubscribed_at=None
        ).select_related("newsletter")
    )
    if not waiting:
        return
    name = site_name()
    names = "\n".join(f"- {subscription.newsletter.name}" for subscription in waiting)
    body = (
        f"Someone, we hope you, asked to receive these newsletters of {name} at this address:\n\n"
        f"{names}\n\n"
        f"To confirm, open this link (it works for {links.CONFIRM_MAX_AGE // 86400} days):\n"
        f"{links.confirm_url(subscriber)}\n\n"
        f"If it was not you, ignore this e-mail: you will get nothing more from us.\n"
    )
    send_once(key, f"Confirm your subscription to {name}", body, [subscriber.email])


@task(backend="worker")
def import_subscribers(import_id):
    """A CSV import, checked and saved in the worker (masthead.newsletter.subscribing)."""
    from masthead.newsletter.subscribing import run_import

    job = SubscriberImport.objects.filter(pk=import_id).first()
    if job is not None and not job.finished:
        run_import(job)


@task(backend="worker")
def send_welcome(subscription_id):
    """The welcome e-mail of one list, once per confirmation of it."""
    subscription = (
        Subscription.objects.filter(
            pk=subscription_id,
            confirmed_at__isnull=False,
            unsubscribed_at=None,
            subscriber__bounced_at=None,
        )
        .select_related("subscriber", "newsletter")
        .first()
    )
    if subscription is None:
        return
    subscriber, newsletter = subscription.subscriber, subscription.newsletter
    intro = newsletter.welcome_text or newsletter.description
    body = (
        f"Welcome to {newsletter.name}.\n\n"
        + (f"{intro}\n\n" if intro else "")
        + f"Choose your newsletters, or leave them all:\n{links.preferences_url(subscriber)}\n\n"
        f"Unsubscribe from {newsletter.name}:\n{links.unsubscribe_url(subscriber, newsletter)}\n"
    )
    send_once(
        f"newsletter-welcome:{subscription.pk}:{subscription.confirmed_at.timestamp():.6f}",
        f"Welcome to {newsletter.name}",
        body,
        [subscriber.email],
        headers=links.unsubscribe_headers(subscriber, newsletter),
    )


@task(backend="worker", takes_context=True)
def send_edition(context, edition_id, run):
    """One batch of an edition's send, then the next batch's task (or a later one, when only
    retries wait)."""
    worker_ids = context.task_result.worker_ids
    outcome = sending.step(edition_id, run, worker_ids[-1] if worker_ids else new_worker_id())
    if outcome == sending.CONTINUE or (outcome is not None and outcome <= timezone.now()):
        send_edition.enqueue(edition_id, run)
    elif outcome is not None:
        run_at(outcome, send_edition, edition_id, run)


@task(backend="worker")
def send_test_edition(edition_id, address):
    edition = Edition.objects.select_related("newsletter").filter(pk=edition_id).first()
    if edition is not None:
        sending.send_test(edition, address)


def schedule(edition, moment):
    """Send `edition` at `moment` (to come); False when it is no longer a draft or scheduled."""
    with transaction.atomic():
        scheduled = Edition.objects.filter(pk=edition.pk, status__in=Edition.EDITABLE).update(
            status=Edition.Status.SCHEDULED, scheduled_at=moment
        )
        if scheduled:
            transaction.on_commit(
                lambda: run_at(moment, start_scheduled, edition.pk, moment.isoformat())
            )
    edition.refresh_from_db()
    return bool(scheduled)


@task(backend="worker")
def start_scheduled(edition_id, moment):
    """Start the send of an edition scheduled at `moment`, unless it was rescheduled, sent or
    cancelled meanwhile."""
    edition = Edition.objects.select_related("newsletter").filter(pk=edition_id).first()
    if (
        edition is not None
        and edition.status == Edition.Status.SCHEDULED
        and edition.scheduled_at == datetime.fromisoformat(moment)
    ):
        sending.start(edition)


def schedule_digest(digest, now=None):
    """Enqueue the digest's next run (after a change of its settings, and after each run); a
    run queued before for another moment does nothing."""
    moment = editions.next_run(digest, now) if digest.enabled else None
    Digest.objects.filter(pk=digest.pk).update(next_run_at=moment)
    digest.next_run_at = moment
    if moment is not None:
        transaction.on_commit(lambda: run_at(moment, run_digest, digest.pk, moment.isoformat()))
    return moment


@task(backend="worker")
def run_digest(digest_id, moment):
    """Assemble and send the digest of `moment` (nothing when nothing is new), then enqueue the
    next."""
    run = datetime.fromisoformat(moment)
    digest = Digest.objects.select_related("newsletter").filter(pk=digest_id).first()
    if digest is None or not digest.enabled or digest.next_run_at != run:
        return
    if not digest.newsletter.archived:
        edition = editions.digest_edition(digest, run)
        if edition is not None:
            if edition.editable:
                sending.start(edition)
            Digest.objects.filter(pk=digest.pk).update(last_sent_at=run)
    schedule_digest(digest, now=max(timezone.now(), run))

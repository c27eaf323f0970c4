"""The newsletter's tasks, run by the task worker: a send goes batch by batch, each batch a
task that enqueues the next; a scheduled edition and a digest start at their time
(`run_after`, no cron)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from masthead.caching.scheduling import run_at
from masthead.core.worker import new_worker_id
from masthead.newsletter import editions, sending
from masthead.newsletter.models import Digest, Edition


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

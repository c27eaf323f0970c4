"""Time is a change too, and the task worker makes it at its moment: an article dated in the
future is purged into the lists at its date, and a page scheduled to go live or to expire is
published or unpublished then (Wagtail's `publish_scheduled`, without cron)."""

import logging

from django.core.management import call_command
from django.utils import timezone
from django_tasks import task

from masthead.caching.store import purge

logger = logging.getLogger(__name__)


@task()
def purge_keys(keys):
    purge(*keys)


@task()
def publish_scheduled_pages():
    call_command("publish_scheduled")


def run_at(moment, deferred_task, *args):
    """Enqueue `deferred_task` to run at `moment` (an aware datetime), if that is to come."""
    if moment is None or moment <= timezone.now():
        return
    if not deferred_task.get_backend().supports_defer:
        logger.warning("The task backend cannot run %s later, at %s", deferred_task.name, moment)
        return
    deferred_task.using(run_after=moment).enqueue(*args)


def purge_when_public(page, keys):
    """If `page` becomes visible later than now (`public_from()`), purge `keys` at that moment."""
    public_from = getattr(page, "public_from", None)
    if public_from is not None:
        run_at(public_from(), purge_keys, sorted(keys))

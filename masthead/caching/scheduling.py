"""Time is a change too: an article dated in the future is purged into the lists at its time,
by a task that the worker runs then."""

import logging

from django.utils import timezone
from django_tasks import task

from masthead.caching.store import purge

logger = logging.getLogger(__name__)


@task()
def purge_keys(keys):
    purge(*keys)


def purge_when_public(page, keys):
    """If `page` becomes visible later than now (`public_from()`), purge `keys` at that moment."""
    public_from = getattr(page, "public_from", None)
    moment = public_from() if public_from is not None else None
    if moment is None or moment <= timezone.now():
        return
    deferred = purge_keys.using(run_after=moment)
    if not deferred.get_backend().supports_defer:
        logger.warning("The task backend cannot run a task later: %s will wait for a purge", page)
        return
    deferred.enqueue(sorted(keys))

"""Tasks whose worker died (killed, out of memory, the machine restarted) are run again.

Django Tasks' database worker marks a task RUNNING when it takes it and SUCCESSFUL or FAILED
when it is done; a worker killed in between leaves it RUNNING for ever. Masthead's workers
name themselves `host:pid:random`, so a worker starting on the same machine can tell that the
worker of a RUNNING task is gone (no such process, or not a worker), and puts the task back
in the queue. A task of a worker on another machine is put back once it has been running
longer than TASKS_ABANDONED_AFTER seconds. A task that lost its worker TASKS_MAX_ATTEMPTS
times is marked FAILED instead (it may be what kills them).

Tasks run again must be safe to run twice: Masthead's e-mails record that they went out
(`masthead.core.tasks.send_once`), purges and scheduled publishing do nothing the second time.

Each worker also writes a heartbeat (`beat()`, every TASKS_WORKER_HEARTBEAT seconds, from a
thread of its own so that a long task does not stop it): `worker_is_running()` says whether one
beat within the last TASKS_WORKER_STALE_AFTER seconds, and the admin warns on every page when
none did (masthead/core/wagtail_hooks.py).
"""

import logging
import os
import socket
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks import task_backends
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)
# Heartbeats of workers gone for this long are deleted by the next beat of any worker.
FORGOTTEN_AFTER = timedelta(days=1)


def hostname():
    return socket.gethostname()[:40].replace(":", "-")


def new_worker_id():
    return f"{hostname()}:{os.getpid()}:{get_random_string(8)}"


def worker_alive(worker_id):
    """True or False for a worker of this machine; None for one elsewhere (or not named by us)."""
    host, _, rest = worker_id.partition(":")
    pid = rest.partition(":")[0]
    if host != hostname() or not pid.isdigit():
        return None
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: whether the process exists at all
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        return True
    return b"db_worker" in command


def recover_abandoned(backend_name):
    """Put back in the queue each RUNNING task of `backend_name` whose worker is gone; returns
    how many were put back and how many were given up."""
    abandoned_after = timedelta(seconds=getattr(settings, "TASKS_ABANDONED_AFTER", 3600))
    max_attempts = getattr(settings, "TASKS_MAX_ATTEMPTS", 3)
    requeued = failed = 0
    with transaction.atomic():
        running = (
            DBTaskResult.objects.running()
            .filter(backend_name=backend_name)
            .select_for_update(skip_locked=True)
        )
        for result in running:
            alive = worker_alive(result.worker_ids[-1]) if result.worker_ids else None
            too_long = result.started_at and result.started_at < timezone.now() - abandoned_after
            if alive or (alive is None and not too_long):
                continue
            if len(result.worker_ids) >= max_attempts:
                result.status = TaskResultStatus.FAILED
                result.finished_at = timezone.now()
                result.exception_class_path = "masthead.core.worker.WorkerLost"
                result.traceback = (
                    f"The task's worker stopped while running it, {len(result.worker_ids)} "
                    f"times (workers {', '.join(result.worker_ids)}); not tried again.\n"
                )
                result.save(
                    update_fields=["status", "finished_at", "exception_class_path", "traceback"]
                )
                failed += 1
                logger.warning(
                    "Task %s (%s) lost its worker; given up", result.id, result.task_path
                )
            else:
                result.status = TaskResultStatus.READY
                result.started_at = None
                result.save(update_fields=["status", "started_at"])
                requeued += 1
                logger.warning(
                    "Task %s (%s) lost its worker %s; queued again",
                    result.id,
                    result.task_path,
                    result.worker_ids[-1] if result.worker_ids else "?",
                )
    return requeued, failed


def beat(worker_id, backend_name):
    """Record that the worker `worker_id` is alive now."""
    from masthead.core.models import WorkerHeartbeat

    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id, defaults={"backend_name": backend_name, "beat_at": now}
    )
    WorkerHeartbeat.objects.filter(beat_at__lt=now - FORGOTTEN_AFTER).delete()


def stopped(worker_id):
    """A worker stopping cleanly says so at once, instead of after the staleness window."""
    from masthead.core.models import WorkerHeartbeat

    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def worker_is_running(backend_name="worker"):
    """Whether a worker of `backend_name` beat recently: what happens at a set time (scheduled
    articles, e-mails, newsletters) happens only then."""
    from masthead.core.models import WorkerHeartbeat

    if not task_backends[backend_name].supports_defer:  # tasks run in the request
        return True
    recent = timezone.now() - timedelta(seconds=settings.TASKS_WORKER_STALE_AFTER)
    return WorkerHeartbeat.objects.filter(backend_name=backend_name, beat_at__gte=recent).exists()


def waiting_tasks(backend_name="worker"):
    """How many tasks are due and wait for a worker."""
    return DBTaskResult.objects.ready().filter(backend_name=backend_name).count()

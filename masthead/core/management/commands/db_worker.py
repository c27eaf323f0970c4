"""Django Tasks' database worker (`masthead db_worker --backend worker`), which first puts back
in the queue the tasks of workers that died while running them, and writes a heartbeat while it
runs (masthead/core/worker.py)."""

import contextlib
import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, connections
from django_tasks_db.management.commands import db_worker

from masthead.core.worker import beat, new_worker_id, recover_abandoned, stopped

logger = logging.getLogger(__name__)
RECONNECT_AFTER = 2  # seconds


class Command(db_worker.Command):
    help = (
        "Run a database background worker; tasks left running by a worker that died are "
        "queued again first, and a database that goes away is waited for"
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        # host:pid:random, so that another worker can tell when this one is gone.
        parser.set_defaults(worker_id=new_worker_id())

    def handle(self, *, backend_name, verbosity, **options):
        worker_id = options["worker_id"]
        stop = threading.Event()
        heart = threading.Thread(
            target=beating, args=(worker_id, backend_name, stop), name="heartbeat", daemon=True
        )
        heart.start()
        try:
            self.work(backend_name=backend_name, verbosity=verbosity, **options)
        finally:
            stop.set()
            heart.join(5)
            with contextlib.suppress(DatabaseError):
                stopped(worker_id)

    def work(self, *, backend_name, verbosity, **options):
        while True:
            try:
                requeued, failed = recover_abandoned(backend_name)
                if verbosity and (requeued or failed):
                    self.stdout.write(
                        f"Queued again {requeued} task(s) whose worker died; gave up {failed}."
                    )
                super().handle(backend_name=backend_name, verbosity=verbosity, **options)
                return
            except (OperationalError, InterfaceError) as error:
                # A restarted PostgreSQL, or SQLite locked beyond its timeout: the worker
                # outlives it, as the web workers do, instead of leaving its tasks undone.
                logger.warning(
                    "The task worker lost its database (%s); trying again in %s s",
                    error,
                    RECONNECT_AFTER,
                )
                connections.close_all()
                time.sleep(RECONNECT_AFTER)


def beating(worker_id, backend_name, stop):
    """Beat now and every TASKS_WORKER_HEARTBEAT seconds until `stop` is set; a database that is
    away meanwhile only makes beats missing."""
    while True:
        try:
            beat(worker_id, backend_name)
        except DatabaseError as error:
            logger.warning("The task worker's heartbeat failed (%s)", error)
        finally:
            connection.close()
        if stop.wait(settings.TASKS_WORKER_HEARTBEAT):
            return

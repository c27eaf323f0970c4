"""Django Tasks' database worker (`masthead db_worker --backend worker`), which first puts back
in the queue the tasks of workers that died while running them (masthead/core/worker.py)."""

import logging
import time

from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands import db_worker

from masthead.core.worker import new_worker_id, recover_abandoned

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

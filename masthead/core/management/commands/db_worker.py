"""Django Tasks' database worker (`masthead db_worker --backend worker`), which first puts back
in the queue the tasks of workers that died while running them (masthead/core/worker.py)."""

from django_tasks_db.management.commands import db_worker

from masthead.core.worker import new_worker_id, recover_abandoned


class Command(db_worker.Command):
    help = (
        "Run a database background worker; tasks left running by a worker that died are "
        "queued again first"
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        # host:pid:random, so that another worker can tell when this one is gone.
        parser.set_defaults(worker_id=new_worker_id())

    def handle(self, *, backend_name, verbosity, **options):
        requeued, failed = recover_abandoned(backend_name)
        if verbosity and (requeued or failed):
            self.stdout.write(
                f"Queued again {requeued} task(s) whose worker died; gave up {failed}."
            )
        super().handle(backend_name=backend_name, verbosity=verbosity, **options)

import os

from django.core.management.base import BaseCommand, CommandError
from django.tasks import task_backends
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db import DatabaseBackend

from workers.worker import Worker, run_rq_worker


class Command(BaseCommand):
    help = (
        "Runs background tasks and enqueues periodic ones (no cron needed). Run one or more beside "
        "the web servers; Ctrl-C or SIGTERM lets the running task finish, then stops."
    )

    def add_arguments(self, parser):
        parser.add_argument("--queues", default="default", help="comma-separated queue names")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds to wait when the queue is empty"
        )
        parser.add_argument(
            "--reload", action="store_true", help="restart on code changes (development only)"
        )

    def handle(self, *args, queues: str, interval: float, reload: bool, **options):
        if interval <= 0:
            raise CommandError("--interval must be a positive number of seconds.")
        queue_names = [name.strip() for name in queues.split(",") if name.strip()]
        if not isinstance(task_backends["default"], DatabaseBackend):
            if reload:
                raise CommandError("--reload works with the database queue only.")
            run_rq_worker(queue_names=queue_names, interval=interval)
            return
        worker = Worker(queue_names=queue_names, interval=interval)
        if not reload:
            worker.configure_signals()
            worker.run()
            return
        # The reloader's parent only watches files; its child runs the loop, in a thread, so
        # the child's main thread must take the signals before the loop starts.
        if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            worker.configure_signals()
        run_with_reloader(worker.run)

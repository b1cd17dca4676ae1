"""The worker: runs queued tasks and enqueues due periodic ones, on either backend.

The database backend's loop is django-tasks-db's Worker with a periodic tick before each claim;
under RQ, RQ's own worker runs the jobs while a thread beside it ticks.
"""

import logging
import threading
import time

from django.db import close_old_connections, connection
from django.db.utils import OperationalError
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker as DatabaseWorker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from workers.periodic import PeriodicScheduler

logger = logging.getLogger(__name__)


class Worker(DatabaseWorker):
    """One database-queue worker; run() loops until SIGINT/SIGTERM, run_once() is one turn."""

    def __init__(self, *, backend_name: str = "default", queue_names=("default",), interval=1.0):
        super().__init__(
            queue_names=list(queue_names),
            interval=interval,
            batch=False,
            backend_name=backend_name,
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        self.scheduler = PeriodicScheduler()

    def run_once(self) -> bool:
        """Enqueue due periodic tasks, then run at most one ready task; True if one ran."""
        self.scheduler.tick(timezone.now())
        db_result = self.claim_next()
        if db_result is None:
            return False
        self.run_task(db_result)
        return True

    def run(self) -> None:
        logger.info("worker=%s queues=%s started", self.worker_id, ",".join(self.queue_names))
        while self.running:
            close_old_connections()
            if not self.run_once() and self.running:
                time.sleep(self.interval)

    def claim_next(self) -> DBTaskResult | None:
        """Claims the next ready task for this worker, or None when nothing is ready."""
        ready = DBTaskResult.objects.ready().filter(
            backend_name=self.backend_name, queue_name__in=self.queue_names
        )
        try:
            with exclusive_transaction(ready.db):
                db_result = ready.get_locked()  # SKIP LOCKED: racing workers take different rows
                if db_result is not None:
                    db_result.claim(self.worker_id)
                return db_result
        except OperationalError as error:
            if is_locked_database_exception(error):  # SQLite busy: another worker is claiming
                return None
            raise


def run_rq_worker(*, queue_names, interval: float = 1.0) -> None:
    """Run RQ's worker (with its scheduler, for retries) and tick periodic tasks beside it."""
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker
    from rq import Worker as ForkingWorker

    # A job forked while the ticker thread holds SQLite's lock inherits a lock nobody will
    # release; on SQLite jobs run in this process instead (PostgreSQL forks safely).
    worker_class = SimpleWorker if connection.vendor == "sqlite" else ForkingWorker
    stop = threading.Event()
    ticker = threading.Thread(target=_tick_until, args=(stop, interval), name="periodic-ticker")
    ticker.start()
    try:
        worker = django_rq.get_worker(*queue_names, job_class=Job, worker_class=worker_class)
        worker.work(with_scheduler=True)
    finally:
        stop.set()
        ticker.join()


def _tick_until(stop: threading.Event, interval: float) -> None:
    scheduler = PeriodicScheduler()
    try:
        while not stop.is_set():
            scheduler.tick(timezone.now())
            stop.wait(interval)
    finally:
        connection.close()

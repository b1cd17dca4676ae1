"""What a worker does next, for tests that need a queued task's effect."""

from workers.worker import Worker


def run_queued_tasks(limit: int = 100) -> int:
    """Runs every ready task through the database queue's real worker (without enqueueing
    periodic ones); returns how many ran."""
    worker = Worker()
    for ran in range(limit):
        claimed = worker.claim_next()
        if claimed is None:
            return ran
        worker.run_task(claimed)
    raise AssertionError(f"the queue still had work after {limit} tasks")

"""Where a crash may lose the last few hundred milliseconds, commits needn't wait for the disk."""

from django.db import connection


def commit_without_waiting_for_disk() -> None:
    """Lets the current transaction commit without waiting for PostgreSQL's WAL flush.

    Only for records that can be lost in a database crash without harm: a webhook event, which
    the sweep fetches from Tavus again. Still atomic and crash-consistent; other databases
    ignore it. (Tool calls commit durably: for them the extra statement cost as much as the
    disk flush it saves, and a read then fits in three queries.)
    """
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")

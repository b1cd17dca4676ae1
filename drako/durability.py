"""Where a crash may lose the last few hundred milliseconds, commits needn't wait for the disk."""

from django.db import connection


def commit_without_waiting_for_disk() -> None:
    """Lets the current transaction commit without waiting for PostgreSQL's WAL flush.

    Only for records that can be lost in a database crash without harm: a webhook event (the
    sweep fetches missing ones from Tavus again) or a tool call that changed no schedule (a
    read, or a proposal the user would simply ask for again). Still atomic and crash-consistent;
    other databases ignore it.
    """
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")

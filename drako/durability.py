"""Where a crash may lose the last few hundred milliseconds, commits needn't wait for the disk."""

from django.db import connection


def commit_without_waiting_for_disk() -> None:
    """Lets the current transaction commit without waiting for PostgreSQL's WAL flush.

    Only for records that can be lost in a database crash without harm: a webhook event, which
    the sweep fetches from Tavus again. Still atomic and crash-consistent; other databases
    ignore it. The statements that run alone write the same setting into themselves
    (`set_config('synchronous_commit', 'off', true)`), so it costs no round trip: a webhook's
    (conversations.webhook_sql) and a read tool call's record (conversations.hotpath). A write
    tool call's transaction commits durably.
    """
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")

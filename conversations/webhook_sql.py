"""The webhook path's statements, written out instead of compiled by the ORM on every call.

Webhooks are the hottest write path (several per call, each delivered at least once), and for
statements this small the ORM spent more time building the SQL than PostgreSQL spent running
it. Every hand-written statement of the path lives here, beside its tests
(tests/conversations/test_webhook_sql.py). Only table and column names from the models are
formatted in (hence the S608 waivers); every value is a parameter, prepared by its model field
as the ORM would prepare it.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.db import connection
from django.utils import timezone

from conversations.models import Conversation, ConversationEvent
from drako.prepared import values_for_save
from workers.queueing import QueueRow

_CONVERSATIONS = Conversation._meta.db_table
_EVENTS = ConversationEvent._meta.db_table

_SELECT_CALLBACK = (
    f"SELECT id, callback_secret, tavus_conversation_id FROM {_CONVERSATIONS} WHERE id = %s"  # noqa: S608
)

_EVENT_FIELDS = [
    ConversationEvent._meta.get_field(name)
    for name in (
        "conversation",
        "event_type",
        "dedupe_key",
        "payload",
        "occurred_at",
        "received_at",
        "pending",
    )
]
_INSERT_EVENT = (
    f"INSERT INTO {_EVENTS} ("  # noqa: S608
    f"{', '.join(f.column for f in _EVENT_FIELDS)})"
    f" VALUES ({', '.join(['%s'] * len(_EVENT_FIELDS))})"
    f" ON CONFLICT ({_EVENT_FIELDS[0].column}, {_EVENT_FIELDS[2].column}) DO NOTHING"
    " RETURNING id"
)

# What the handlers read and write; the rest of the row (the context sent) is never loaded.
STATE_FIELDS = (
    "status", "joined_at", "ended_at", "shutdown_reason", "transcript", "recording",
    "perception_analysis",
)  # fmt: skip
_STATE_COLUMNS = [Conversation._meta.get_field(name).column for name in STATE_FIELDS]


def callback_row(pk: int) -> tuple[int, str, str | None] | None:
    """The conversation's id, callback secret and Tavus id, or None when there is none."""
    with connection.cursor() as cursor:
        cursor.execute(_SELECT_CALLBACK, [pk])
        return cursor.fetchone()


def event_insert(event: ConversationEvent) -> bool:
    """Stores the event unless its dedupe key is already stored; True when it went in."""
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_EVENT, values_for_save(event, _EVENT_FIELDS, connection, add=True))
        return cursor.fetchone() is not None


def state_locked(conversation_id: int) -> Conversation | None:
    """The conversation's state fields, its row locked until the transaction ends; None when
    the conversation is gone."""
    lock = " FOR NO KEY UPDATE" if connection.features.has_select_for_no_key_update else ""
    sql = f"SELECT id, {', '.join(_STATE_COLUMNS)} FROM {_CONVERSATIONS} WHERE id = %s{lock}"  # noqa: S608
    return next(iter(Conversation.objects.raw(sql, [conversation_id])), None)


def state_update(conversation: Conversation, names: list[str]) -> None:
    """Writes these state fields of the conversation, and nothing else."""
    if not names:
        return
    fields = [Conversation._meta.get_field(name) for name in names]
    assignments = ", ".join(f"{field.column} = %s" for field in fields)
    values = [
        field.get_db_prep_save(getattr(conversation, field.attname), connection) for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_CONVERSATIONS} SET {assignments} WHERE id = %s",  # noqa: S608
            [*values, conversation.pk],
        )


# --- A webhook verified and stored in one statement (PostgreSQL) -----------------------------

# The callback's secret is compared as SHA-256 digests: how long a comparison takes can only
# tell how much of two digests agree, which says nothing usable about the secret (the same
# reason hmac.compare_digest is used elsewhere). The event goes in only for the right secret
# and a conversation_id that is this conversation's (or while its Tavus id isn't known yet);
# set_config is SET LOCAL synchronous_commit: a webhook is one Tavus sends again and the sweep
# fetches, so its commit needn't wait for the disk (drako/durability.py). The task that applies
# the event goes in with it, only when the event did: one statement, so one commit.
_STORE_AT_CALLBACK = f"""
WITH caller AS (
    SELECT id, tavus_conversation_id, set_config('synchronous_commit', 'off', true)
    FROM {_CONVERSATIONS}
    WHERE id = %s AND sha256(convert_to(callback_secret, 'UTF8')) = sha256(convert_to(%s, 'UTF8'))
), stored AS (
    INSERT INTO {_EVENTS} ({", ".join(f.column for f in _EVENT_FIELDS)})
    SELECT id, %s, %s, %s::jsonb, %s, %s, true FROM caller
    WHERE coalesce(tavus_conversation_id, '') IN ('', %s)
    ON CONFLICT ({_EVENT_FIELDS[0].column}, {_EVENT_FIELDS[2].column}) DO NOTHING
    RETURNING id
){{queued}}
SELECT tavus_conversation_id, EXISTS (SELECT FROM stored) FROM caller
"""  # noqa: S608


@cache
def _store_at_callback_sql(queue_model=None) -> str:
    if queue_model is None:
        return _STORE_AT_CALLBACK.format(queued="")
    fields = queue_model._meta.concrete_fields
    queued = (
        f", queued AS (INSERT INTO {queue_model._meta.db_table}"  # noqa: S608
        f" ({', '.join(connection.ops.quote_name(f.column) for f in fields)})"
        f" SELECT {', '.join(['%s'] * len(fields))} FROM stored)"
    )
    return _STORE_AT_CALLBACK.format(queued=queued)


def stores_at_callback() -> bool:
    """event_store_at_callback can run here: the database is PostgreSQL."""
    return connection.vendor == "postgresql"


@dataclass(frozen=True)
class Caller:
    tavus_conversation_id: str | None
    stored: bool


def event_store_at_callback(
    *,
    pk: int,
    secret: str,
    conversation_id: str,
    event_type: str,
    dedupe_key: str,
    payload_json: str,
    occurred_at: datetime | None,
    queue: QueueRow | None,
) -> Caller | None:
    """Stores a pending event for the callback `pk.secret` unless its dedupe key is already
    stored, and with it `queue`'s task row; None when there is no such callback. PostgreSQL
    only (stores_at_callback).

    `payload_json` is the payload's JSON text; jsonb orders keys itself, so any key order
    stores the same value. Nothing is stored for another conversation_id than the caller's
    known Tavus id (Caller tells it, to refuse).
    """
    occurred = _EVENT_FIELDS[4].get_db_prep_save(occurred_at, connection)
    received = _EVENT_FIELDS[5].get_db_prep_save(timezone.now(), connection)
    values = [pk, secret, event_type, dedupe_key, payload_json, occurred, received, conversation_id]
    if queue is not None:
        values += queue.values(connection)
    # Bound server-side (drako.db.postgresql): Django's client-side binding wrote all 24 values
    # into the SQL text, which cost more CPU than sending them beside it.
    with connection.statement_cursor() as cursor:
        cursor.execute(_store_at_callback_sql(queue and queue.model), values)
        row = cursor.fetchone()
    if row and row[1] and queue is not None:
        queue.written(connection)
    return Caller(*row) if row else None

"""The webhook path's statements, written out instead of compiled by the ORM on every call.

Webhooks are the hottest write path (several per call, each delivered at least once), and for
statements this small the ORM spent more time building the SQL than PostgreSQL spent running
it. Every hand-written statement of the path lives here, beside its tests
(tests/conversations/test_webhook_sql.py). Only table and column names from the models are
formatted in (hence the S608 waivers); every value is a parameter, prepared by its model field
as the ORM would prepare it.
"""

from django.db import connection

from conversations.models import Conversation, ConversationEvent

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
    values = [
        field.get_db_prep_save(field.pre_save(event, True), connection) for field in _EVENT_FIELDS
    ]
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_EVENT, values)
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

"""The statements every tool call runs, each one round trip and none compiled per call.

A live call makes a tool call on most turns, through the page's relay or Tavus's delivery, and
a person waits for each answer. Django used to spend longer building these queries than
PostgreSQL spent answering them, so here they are built once:

- the caller: the conversation with its user, checked against an API token's digest, or read
  with the page's session and its user, in one indexed lookup compiled once from the ORM
  (drako.prepared);
- the exactly-once record, written with its answer in one `INSERT … ON CONFLICT DO NOTHING
  RETURNING` that says whether this delivery is the first (record). A read's record is its own
  transaction and commits without waiting for the disk. A write's is the last statement of the
  write's transaction: a twin still in flight is waited for by the unique index, and a later
  twin's writes roll back with it; the same statement points the proposals the call made at
  the record.

The SQL of the record is derived from ToolCall's fields, so a new field needs no edit here, and
ToolCall's post_save is sent as Model.save() would send it.
"""

from datetime import datetime
from functools import cache

from django.db import connection
from django.db.models import FilteredRelation, Q
from django.db.models.signals import post_save
from django.utils import timezone

from accounts import sessions
from accounts.models import User
from conversations.models import Conversation, Proposal, ToolCall
from drako.prepared import PreparedQuery, row_id, statement_cursor, values_for_save

# What a tool call never reads, and can be large: the context sent, Tavus's payloads, the record.
NOT_FOR_TOOLS = (
    "context_sent", "request_payload", "transcript", "recording", "perception_analysis",
    "failure_reason",
)  # fmt: skip
_CONVERSATION = [
    f.attname for f in Conversation._meta.concrete_fields if f.name not in NOT_FOR_TOOLS
]
_USER = [f.attname for f in User._meta.concrete_fields]


def _with_user(conversations):
    # One row by its key: no ORDER BY (Conversation's Meta ordering would add a sort).
    return conversations.order_by().values_list(
        *_CONVERSATION, *(f"user__{name}" for name in _USER)
    )


_BY_TOKEN = PreparedQuery(
    lambda digest, conversation_id: _with_user(
        Conversation.objects.filter(
            pk=conversation_id, user__api_tokens__digest=digest, user__is_active=True
        )
    ),
    digest=str,
    conversation_id=int,
)
_BY_USER = PreparedQuery(
    lambda user_id, conversation_id: (
        Conversation.objects.filter(pk=conversation_id, user_id=user_id)
        .order_by()
        .values_list(*_CONVERSATION)
    ),
    user_id=int,
    conversation_id=int,
)


# The live session, its user, and that user's conversation asked for (NULLs when the user has
# none with that id): the session path's caller in one lookup, as the token path's.
_SESSION_WITH_CONVERSATION = PreparedQuery(
    lambda session_key, now, conversation_id: (
        sessions.live_sessions(session_key, now)
        .annotate(
            asked=FilteredRelation(
                "user__conversations", condition=Q(user__conversations__pk=conversation_id)
            )
        )
        .values_list(*sessions.SESSION_COLUMNS, *(f"asked__{name}" for name in _CONVERSATION))
    ),
    session_key=str,
    now=datetime,
    conversation_id=int,
)
_SESSION_WIDTH = len(sessions.SESSION_COLUMNS)
_CONVERSATION_USER = _CONVERSATION.index("user_id")


def _conversation(row) -> Conversation:
    return Conversation.from_db(connection.alias, _CONVERSATION, row[: len(_CONVERSATION)])


def conversation_by_token(*, digest: str, conversation_id) -> Conversation | None:
    """The conversation, with its user, if `digest` is an API token of its active owner (None
    too for an id no row can have: drako.prepared.row_id)."""
    if (pk := row_id(conversation_id)) is None:
        return None
    rows = _BY_TOKEN.rows(digest=digest, conversation_id=pk)
    if not rows:
        return None
    conversation = _conversation(rows[0])
    conversation.user = User.from_db(connection.alias, _USER, rows[0][len(_CONVERSATION) :])
    return conversation


def conversation_of_user(*, user: User, conversation_id) -> Conversation | None:
    """One of `user`'s conversations (the user already loaded, e.g. by the session)."""
    if (pk := row_id(conversation_id)) is None:
        return None
    rows = _BY_USER.rows(user_id=user.pk, conversation_id=pk)
    if not rows:
        return None
    conversation = _conversation(rows[0])
    conversation.user = user
    return conversation


def conversation_of_session_user(request, conversation_id) -> Conversation | None:
    """One of the conversations of the user `request`'s session signs in (None when nobody is
    signed in, or the conversation isn't theirs).

    While the session is still unread, the session, its user and the conversation are read in
    one query, and the session loads from that row (accounts.sessions.SessionStore
    .load_from_row). Who is signed in is still decided by Django (`request.user`); the
    conversation read with the session is taken only when it is that user's, and otherwise
    looked up for them as conversation_of_user does. An id no row can have reads the session
    alone, as Django would, and finds no conversation."""
    pk = row_id(conversation_id)
    store = request.session
    read = None
    key = store.key_to_read() if pk is not None and hasattr(store, "key_to_read") else None
    if key is not None:
        rows = _SESSION_WITH_CONVERSATION.rows(
            session_key=key, now=timezone.now(), conversation_id=pk
        )
        read = rows[0] if rows else None
        store.load_from_row(read[:_SESSION_WIDTH] if read else None)
    user = request.user
    if not user.is_authenticated or pk is None:
        return None
    if read is None or read[sessions.SESSION_USER_ID] != user.pk:
        return conversation_of_user(user=user, conversation_id=pk)  # read before, or elsewise
    row = read[_SESSION_WIDTH:]
    if row[_CONVERSATION_USER] != user.pk:  # no conversation of theirs has that id
        return None
    conversation = _conversation(row)
    conversation.user = user
    return conversation


# --- the exactly-once record ---------------------------------------------------------------------

_RECORDED = [f for f in ToolCall._meta.concrete_fields if not f.primary_key]


@cache
def _insert(vendor: str, *, durable: bool, linking: bool) -> str:
    quote = connection.ops.quote_name
    table = quote(ToolCall._meta.db_table)
    columns = ", ".join(quote(f.column) for f in _RECORDED)
    values = ", ".join(["%s"] * len(_RECORDED))
    source = f"VALUES ({values})"
    if not durable and vendor == "postgresql":
        # set_config(…, true) is SET LOCAL for the statement's own transaction: its commit
        # returns without waiting for the WAL flush (drako/durability.py). A subquery in FROM
        # runs before the row goes in, so the setting is there at the commit.
        source = (
            f"SELECT {values} FROM (SELECT set_config('synchronous_commit', 'off', true))"  # noqa: S608 (placeholders only)
            " AS commit_setting"
        )
    unique = ("conversation", "idempotency_key")  # the tool_call_once constraint
    key = ", ".join(quote(ToolCall._meta.get_field(name).column) for name in unique)
    insert = (
        f"INSERT INTO {table} ({columns}) {source} "
        f"ON CONFLICT ({key}) DO NOTHING RETURNING {quote('id')}"
    )
    if not linking:
        return insert
    # The proposals the call made point at its record, in the same statement; a twin's insert
    # returns no row, so it points nothing anywhere (its transaction then rolls back).
    proposals = quote(Proposal._meta.db_table)
    pointer = quote(Proposal._meta.get_field("tool_call").column)
    return (
        f"WITH recorded AS ({insert}), pointed AS ("  # noqa: S608 (names from the models only)
        f"UPDATE {proposals} SET {pointer} = recorded.id FROM recorded "
        f"WHERE {proposals}.{quote('id')} = ANY(%s)) "
        f"SELECT id FROM recorded"
    )


def record(call: ToolCall) -> bool:
    """Writes the call's record with its answer; False (and nothing written) when another
    delivery of the same call has one.

    Outside a transaction (a read's, or a refusal's) the statement is its own transaction, and
    its commit doesn't wait for the disk: a read changed nothing, so a database crash in the
    next fraction of a second loses only the line in the call's record, and a repeat delivery
    after it runs the read again. Inside one (a write's, its last statement) the commit is the
    writes' own, durable; a twin still in flight is waited for, and False tells the caller to
    roll its own writes back. The proposals the call made (`call.made_proposals`) are pointed
    at the record by the same statement on PostgreSQL.
    """
    durable = connection.in_atomic_block
    made = list(call.made_proposals)
    linking = bool(made) and connection.vendor == "postgresql"
    params = values_for_save(call, _RECORDED, connection, add=True)
    with statement_cursor(connection) as cursor:
        cursor.execute(
            _insert(connection.vendor, durable=durable, linking=linking),
            [*params, made] if linking else params,
        )
        row = cursor.fetchone()
    if row is None:
        return False
    call.pk = row[0]
    call._state.adding, call._state.db = False, connection.alias
    if made and not linking:  # SQLite, the embedded default: a second statement
        Proposal.objects.filter(pk__in=made).update(tool_call=call)
    # As Model.save() would: a receiver of ToolCall's post_save sees this row too.
    post_save.send(ToolCall, instance=call, created=True, raw=False, using=connection.alias,
                   update_fields=None)  # fmt: skip
    return True


def first_answer(*, conversation_id: int, key: str) -> dict | None:
    """The answer the first delivery of a call got; None when no delivery has a record."""
    first = ToolCall.objects.filter(conversation_id=conversation_id, idempotency_key=key)
    return first.values_list("result", flat=True).first()

"""conversations.hotpath: the tool-call path's own statements."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import ApiToken, api_key_digest
from conversations import hotpath
from conversations.models import Proposal, ToolCall
from tests.conversations.conftest import racing_deliveries


def _by_token(user, conversation, key=None):
    return hotpath.conversation_by_token(
        digest=api_key_digest(key or user.api_key), conversation_id=conversation.pk
    )


def test_the_token_finds_its_owners_conversation_with_the_user_in_one_query(
    user, live_conversation
):
    with CaptureQueriesContext(connection) as queries:
        found = _by_token(user, live_conversation)
        assert found.user.time_zone == user.time_zone and found.user.pk == user.pk
        assert found.status == live_conversation.status
    assert len(queries) == 1
    # What tools never read stays in the database.
    assert set(hotpath.NOT_FOR_TOOLS) <= found.get_deferred_fields()


def test_anyone_elses_token_an_inactive_owner_or_a_revoked_token_finds_nothing(
    user, other_user, live_conversation
):
    assert _by_token(other_user, live_conversation) is None
    assert _by_token(user, live_conversation, key="0" * len(user.api_key)) is None
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert _by_token(user, live_conversation) is None
    user.is_active = True
    user.save(update_fields=["is_active"])
    ApiToken.objects.filter(user=user).delete()
    assert _by_token(user, live_conversation) is None


def test_a_signed_in_user_finds_only_their_own_conversation(user, other_user, live_conversation):
    found = hotpath.conversation_of_user(user=user, conversation_id=live_conversation.pk)
    assert found.pk == live_conversation.pk and found.user is user
    assert (
        hotpath.conversation_of_user(user=other_user, conversation_id=live_conversation.pk) is None
    )


def _record(conversation, key="k1", **fields) -> ToolCall:
    return ToolCall(conversation=conversation, name="list_schedule_events", idempotency_key=key,
                    **fields)  # fmt: skip


def test_the_record_goes_in_once_and_keeps_the_first_answer(live_conversation):
    first = _record(live_conversation, result={"ok": True, "say": "First."}, ok=True)
    assert hotpath.record(first) and first.pk
    again = _record(live_conversation, result={"ok": True, "say": "Second."}, ok=True)
    assert not hotpath.record(again) and again.pk is None
    assert ToolCall.objects.filter(conversation=live_conversation).count() == 1
    assert hotpath.first_answer(conversation_id=live_conversation.pk, key="k1")["say"] == "First."
    stored = ToolCall.objects.get(pk=first.pk)
    assert stored.created_at is not None and stored.via == ToolCall.Via.RELAY


def _proposal(conversation, **fields) -> Proposal:
    return Proposal.objects.create(
        conversation=conversation, kind=Proposal.Kind.CREATE, summary="Add 'Gym'",
        expires_at=timezone.now(), **fields,
    )  # fmt: skip


def test_a_writes_record_goes_in_with_its_answer_and_points_its_proposals_at_it(
    live_conversation,
):
    earlier = _proposal(live_conversation)  # made by another call: left alone
    made = [_proposal(live_conversation), _proposal(live_conversation)]
    record = _record(live_conversation, key="w1", ok=True, duration_ms=12,
                     result={"ok": True, "change_id": made[0].pk})  # fmt: skip
    record.made_proposals = tuple(p.pk for p in made)
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        assert hotpath.record(record)
    assert len(captured) == (1 if connection.vendor == "postgresql" else 2)
    stored = ToolCall.objects.get(pk=record.pk)
    assert (stored.result, stored.ok, stored.duration_ms) == (
        {"ok": True, "change_id": made[0].pk},
        True,
        12,
    )
    assert set(stored.proposals.values_list("pk", flat=True)) == {p.pk for p in made}
    assert Proposal.objects.get(pk=earlier.pk).tool_call_id is None


def test_a_twins_record_goes_in_nowhere_and_points_nothing(live_conversation):
    assert hotpath.record(_record(live_conversation, key="w1", result={"ok": True}, ok=True))
    twins = _proposal(live_conversation)
    twin = _record(live_conversation, key="w1", result={"ok": True, "twin": True}, ok=True)
    twin.made_proposals = (twins.pk,)
    with transaction.atomic():
        assert not hotpath.record(twin)
    assert twin.pk is None and ToolCall.objects.filter(conversation=live_conversation).count() == 1
    assert Proposal.objects.get(pk=twins.pk).tool_call_id is None


def test_a_write_records_once_at_its_end_with_its_answer(call, live_conversation):
    with CaptureQueriesContext(connection) as captured:
        proposed = call("add_schedule_event", {"title": "Gym", "start_time": "tomorrow at 7am"})
    sql = [q["sql"] for q in captured.captured_queries]
    on_calls = [s for s in sql if '"conversations_toolcall"' in s and "INSERT" in s]
    updates = [s.split("SET")[0] for s in sql if s.lstrip().startswith("UPDATE")]
    assert len(on_calls) == 1 and not [s for s in updates if '"conversations_toolcall"' in s]
    # The record is the transaction's last statement, after the proposal it points at itself.
    writes = [s for s in sql if s.lstrip().upper().startswith(("INSERT", "WITH"))]
    assert writes[-1] == on_calls[0]
    stored = ToolCall.objects.get(conversation=live_conversation, name="add_schedule_event")
    assert stored.result == proposed and stored.ok
    assert Proposal.objects.get(pk=proposed["change_id"]).tool_call_id == stored.pk


def test_a_read_runs_without_a_transaction_and_records_in_one_statement(call, user):
    with CaptureQueriesContext(connection) as captured:
        call("list_schedule_events", {"when": "tomorrow"})
    sql = [q["sql"] for q in captured.captured_queries]
    assert not [s for s in sql if "SAVEPOINT" in s]
    inserts = [s for s in sql if s.lstrip().startswith("INSERT") and "toolcall" in s]
    assert len(inserts) == 1 and "ON CONFLICT" in inserts[0]
    assert not [s for s in sql if s.lstrip().startswith("UPDATE")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="racing readers need PostgreSQL")
def test_racing_deliveries_of_a_read_answer_alike_and_record_once(live_conversation):
    results = racing_deliveries(
        live_conversation, "list_schedule_events", {"when": "today"}, call_id="race-read"
    )
    assert len(results) == 3 and all(r == results[0] for r in results)
    assert ToolCall.objects.filter(tool_call_id="race-read").count() == 1


@pytest.mark.parametrize("change_id", [10**30, 2**63, 999_999])
def test_a_change_id_no_row_has_is_not_found_in_words(call, change_id):
    answer = call("confirm_change", {"change_id": change_id})
    assert answer["ok"] is False and answer["say"].endswith("?")


def test_confirm_and_undo_find_their_change_with_its_row(call):
    proposed = call("add_schedule_event", {"title": "Dentist", "start_time": "tomorrow at 9pm"})
    confirmed = call("confirm_change", {"change_id": proposed["change_id"]})
    assert confirmed["ok"] is True
    undone = call("undo_last_change")
    assert undone["ok"] is True and undone["change_id"] == proposed["change_id"]
    again = call("undo_last_change")
    assert again["ok"] is False  # nothing else to undo


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="synchronous_commit: PostgreSQL")
@pytest.mark.django_db(transaction=True)  # real transactions, not the test's savepoints
def test_a_reads_record_commits_without_waiting_for_the_disk_and_a_writes_waits(
    live_conversation,
):
    # Alone (a read's record, with its answer): its own transaction, flushed in the background.
    record = _record(live_conversation, key="r1", result={"ok": True}, ok=True)
    with CaptureQueriesContext(connection) as captured:
        assert hotpath.record(record)
    assert "set_config('synchronous_commit', 'off', true)" in captured.captured_queries[0]["sql"]
    assert _synchronous_commit() == "on"  # local to that statement's transaction
    assert ToolCall.objects.filter(pk=record.pk).exists()
    # In a transaction (a write's record): its commit is the writes' own, and waits for the disk.
    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured:
            assert hotpath.record(_record(live_conversation, key="w2"))
        assert "set_config" not in captured.captured_queries[0]["sql"]
        assert _synchronous_commit() == "on"

"""Confirm, discard and undo: one decision path, whoever asks."""

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from conversations.assistant import proposals
from conversations.models import Proposal, ToolCall
from schedules import services as schedule_services
from schedules.models import Event
from tests.factories import add_event, days_ahead, future

pytestmark = pytest.mark.django_db


def test_cancel_then_undo(call, user):
    event = add_event(user, "Dentist", days_ahead(user, 2, 14))
    proposed = call("cancel_schedule_event", {"event_id": event.pk})
    call("confirm_change", {"change_id": proposed["change_id"]})
    event.refresh_from_db()
    assert event.status == "cancelled"
    undone = call("undo_last_change", {})
    assert undone["ok"] and undone["state"] == "undone"
    event.refresh_from_db()
    assert event.status == "confirmed"


def test_undo_create_and_move(call, user):
    event = add_event(user, "Dentist", days_ahead(user, 2, 14))
    moved = call(
        "update_schedule_event", {"event_id": event.pk, "start_time": future(days=4, hour=10)}
    )
    call("confirm_change", {"change_id": moved["change_id"]})
    added = call("add_schedule_event", {"title": "Lunch", "start_time": future(days=4, hour=12)})
    call("confirm_change", {"change_id": added["change_id"]})
    assert call("undo_last_change", {})["ok"]
    assert not Event.objects.filter(title="Lunch").exists()
    assert call("undo_last_change", {})["ok"]
    event.refresh_from_db()
    assert event.start.astimezone(user.tz).hour == 14
    assert call("undo_last_change", {})["ok"] is False


def test_discard_changes_nothing(user_api, call, live_conversation):
    result = call("add_schedule_event", {"title": "Gym", "start_time": future()})
    url = f"/api/conversations/{live_conversation.pk}/changes/{result['change_id']}/discard/"
    discarded = user_api.post(url).json()
    assert discarded["ok"] and discarded["state"] == "discarded"
    assert not Event.objects.exists()
    assert call("confirm_change", {"change_id": result["change_id"]})["ok"] is False


def test_click_confirm_then_undo_like_saying_it(user_api, call, live_conversation):
    result = call("add_schedule_event", {"title": "Gym", "start_time": future()})
    base = f"/api/conversations/{live_conversation.pk}/changes/{result['change_id']}"
    assert user_api.post(base + "/confirm/").json()["state"] == "applied"
    assert user_api.post(base + "/confirm/").json()["state"] == "applied"  # twice is once
    assert Event.objects.count() == 1
    assert user_api.post(base + "/undo/").json()["state"] == "undone"
    assert Event.objects.count() == 0
    assert user_api.post(base + "/launch/").status_code == 404


def test_proposals_expire(call):
    result = call("add_schedule_event", {"title": "Gym", "start_time": future()})
    Proposal.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    confirmed = call("confirm_change", {"change_id": result["change_id"]})
    assert confirmed["ok"] is False and "expired" in confirmed["say"]
    assert not Event.objects.exists()
    assert Proposal.objects.get(pk=result["change_id"]).state == "expired"  # and it stays so


def test_proposals_die_with_the_conversation(user_api, call, live_conversation):
    result = call("add_schedule_event", {"title": "Gym", "start_time": future()})
    user_api.post(f"/api/conversations/{live_conversation.pk}/end/")
    assert Proposal.objects.get(pk=result["change_id"]).state == "expired"


def test_confirm_refuses_when_the_event_changed_since(call, user):
    event = add_event(user, "Dentist", days_ahead(user, 2, 14))
    result = call("update_schedule_event", {"event_id": event.pk, "title": "Doctor"})
    schedule_services.event_update(
        event=event, changes={"location": "Elsewhere"}, context=schedule_services.ChangeContext()
    )
    confirmed = call("confirm_change", {"change_id": result["change_id"]})
    assert confirmed["ok"] is False and "changed since" in confirmed["say"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_undos_at_once_undo_the_last_two_changes(live_conversation, monkeypatch):
    from conversations.assistant import calls

    def run(name, call_id, arguments=None):
        request = calls.ToolRequest(
            name=name,
            arguments=calls.arguments_parse(json.dumps(arguments or {})),
            tool_call_id=call_id,
        )
        return calls.tool_call_execute(conversation=live_conversation, request=request)

    for n, hour in enumerate((9, 11)):
        proposed = run(
            "add_schedule_event", f"add-{n}", {"title": f"E{n}", "start_time": future(hour=hour)}
        )
        assert run("confirm_change", f"yes-{n}", {"change_id": proposed["change_id"]})["ok"]
    # The first undo holds the last change's row until the second is on its way to it: the
    # second must then undo the change before, not report the last one as already undone.
    first_locked, second_sent = threading.Event(), threading.Event()
    undo = proposals.proposal_undo

    def held_undo(**kwargs):
        if not first_locked.is_set():
            first_locked.set()
            second_sent.wait(timeout=10)
        return undo(**kwargs)

    monkeypatch.setattr(proposals, "proposal_undo", held_undo)
    answers = []

    def first():
        try:
            answers.append(run("undo_last_change", "undo-a"))
        finally:
            connections.close_all()

    def second():
        try:
            first_locked.wait(timeout=10)
            second_sent.set()
            answers.append(run("undo_last_change", "undo-b"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert [a["ok"] for a in answers] == [True, True], answers
    said = sorted(a["say"] for a in answers)
    assert said == [
        "Undone: E0 is off your schedule again.",
        "Undone: E1 is off your schedule again.",
    ]
    assert not Event.objects.filter(title__in=["E0", "E1"]).exists()


SHAPE = {"ok", "say", "state", "change_id", "proposal"}


def test_voice_click_and_record_page_undo_share_one_decision_path(
    call, user_api, client, user, live_conversation, monkeypatch
):
    decided = []
    for name in ("proposal_confirm", "proposal_undo"):
        real = getattr(proposals, name)

        def spy(*, proposal, _real=real, _name=name, **kwargs):
            decided.append((_name, proposal.pk))
            return _real(proposal=proposal, **kwargs)

        monkeypatch.setattr(proposals, name, spy)
    by_voice = call("add_schedule_event", {"title": "Gym", "start_time": future(hour=9)})
    by_click = call("add_schedule_event", {"title": "Swim", "start_time": future(hour=11)})
    voice = call("confirm_change", {"change_id": by_voice["change_id"]})
    base = f"/api/conversations/{live_conversation.pk}/changes/{by_click['change_id']}"
    click = user_api.post(base + "/confirm/").json()
    user_api.post(f"/api/conversations/{live_conversation.pk}/end/")
    client.force_login(user)
    record = f"/conversations/{live_conversation.pk}/changes/{by_click['change_id']}/undo/"
    assert client.post(record).status_code == 302

    assert decided == [
        ("proposal_confirm", by_voice["change_id"]),
        ("proposal_confirm", by_click["change_id"]),
        ("proposal_undo", by_click["change_id"]),
    ]
    undo = ToolCall.objects.get(name="undo_last_change").result
    assert set(voice) == set(click) == set(undo) == SHAPE
    assert (voice["state"], click["state"], undo["state"]) == ("applied", "applied", "undone")
    vias = list(ToolCall.objects.exclude(name="add_schedule_event").values_list("name", "via"))
    assert vias == [
        ("confirm_change", ToolCall.Via.RELAY),
        ("confirm_change", ToolCall.Via.PAGE),
        ("undo_last_change", ToolCall.Via.PAGE),
    ]
    assert Event.objects.filter(title="Gym").exists() and not Event.objects.filter(title="Swim")


def test_discarding_by_voice_or_click_answers_alike(call, user_api, live_conversation):
    first = call("add_schedule_event", {"title": "Gym", "start_time": future(hour=9)})
    second = call("add_schedule_event", {"title": "Swim", "start_time": future(hour=11)})
    by_voice = call("discard_change", {"change_id": first["change_id"]})
    base = f"/api/conversations/{live_conversation.pk}/changes/{second['change_id']}"
    by_click = user_api.post(base + "/discard/").json()
    assert set(by_voice) == set(by_click) == SHAPE
    assert by_voice["state"] == by_click["state"] == "discarded"
    assert by_voice["say"] == by_click["say"]
    assert not Event.objects.exists()


def test_the_record_page_cannot_confirm_after_the_call(call, user_api, live_conversation):
    proposed = call("add_schedule_event", {"title": "Gym", "start_time": future()})
    user_api.post(f"/api/conversations/{live_conversation.pk}/end/")
    base = f"/api/conversations/{live_conversation.pk}/changes/{proposed['change_id']}"
    response = user_api.post(base + "/confirm/")
    assert response.status_code == 409 and "ended" in response.json()["detail"]
    assert not Event.objects.exists()


# --- proposals people can steer (issue 12) --------------------------------------------------


def test_yes_without_an_id_confirms_only_the_latest_proposal(call, user):
    older = call("add_schedule_event", {"title": "Gym", "start_time": future(hour=9)})
    newer = call("add_schedule_event", {"title": "Swim", "start_time": future(hour=11)})
    confirmed = call("confirm_change", {})
    assert confirmed["ok"] and confirmed["change_id"] == newer["change_id"]
    assert Proposal.objects.get(pk=older["change_id"]).state == "proposed"
    assert list(Event.objects.values_list("title", flat=True)) == ["Swim"]


def test_yes_after_a_declined_proposal_confirms_nothing(call):
    proposed = call("add_schedule_event", {"title": "Gym", "start_time": future()})
    assert call("discard_change", {})["state"] == "discarded"
    again = call("confirm_change", {})
    assert again["ok"] is False and again["state"] == "discarded"
    assert "discarded" in again["say"] and again["change_id"] == proposed["change_id"]
    assert not Event.objects.exists()


def test_yes_after_a_failed_request_does_not_confirm_an_older_proposal(call):
    call("add_schedule_event", {"title": "Gym", "start_time": future()})
    failed = call("add_schedule_event", {"title": "Swim", "start_time": "blorp"})
    assert failed["ok"] is False
    answer = call("confirm_change", {})
    assert answer["ok"] is False and "state" not in answer
    assert not Event.objects.exists()


def test_a_new_proposal_for_an_event_supersedes_the_pending_one(call, user):
    event = add_event(user, "Dentist", days_ahead(user, 2, 14))
    first = call("update_schedule_event", {"event_id": event.pk, "start_time": future(hour=16)})
    second = call("update_schedule_event", {"event_id": event.pk, "start_time": future(hour=17)})
    assert Proposal.objects.get(pk=first["change_id"]).state == "discarded"
    assert call("confirm_change", {"change_id": first["change_id"]})["ok"] is False
    assert call("confirm_change", {})["change_id"] == second["change_id"]
    event.refresh_from_db()
    assert event.start.astimezone(user.tz).hour == 17


def test_decisions_say_what_the_schedule_now_looks_like(call, user):
    event = add_event(user, "Dentist", days_ahead(user, 3, 10))
    moved = call("update_schedule_event", {"event_id": event.pk, "start_time": future(3, 15)})
    done = call("confirm_change", {"change_id": moved["change_id"]})
    assert done["say"].startswith("Done: Dentist is now ") and "3 to 4 PM" in done["say"]
    undone = call("undo_last_change", {})
    assert (
        undone["say"].startswith("Undone: Dentist is back on ") and "10 to 11 AM" in undone["say"]
    )
    cancelled = call("cancel_schedule_event", {"event_id": event.pk})
    assert call("confirm_change", {})["say"] == "Done: Dentist is cancelled."
    assert call("undo_last_change", {})["say"].startswith("Undone: Dentist is back on ")
    assert cancelled["state"] == "proposed"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_undo_finds_the_latest_applied_change_without_sorting_the_calls_changes(
    live_conversation, user
):
    """A long call applies many changes; "undo" takes the latest through its partial index
    (proposal_applied_latest), whatever the number, in PostgreSQL's one plan for it."""
    from psycopg import ClientCursor

    start = days_ahead(user, 3, 9)
    context = schedule_services.ChangeContext()
    _, change = schedule_services.event_create(
        owner=user, title="Gym", start=start, end=start + timedelta(hours=1), context=context
    )
    now = timezone.now()
    applied = [
        Proposal(
            conversation=live_conversation,
            kind=Proposal.Kind.CREATE,
            change=change,
            state=Proposal.State.APPLIED,
            summary=f"Add {i}",
            expires_at=now,
            decided_at=now - timedelta(seconds=i),
        )
        for i in range(2000)
    ]
    Proposal.objects.bulk_create(applied)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE conversations_proposal")
        cursor.execute("SET plan_cache_mode = force_generic_plan")
    try:
        found = proposals.proposal_locked_last_applied(conversation_id=live_conversation.pk)
        compiled = proposals._LAST_APPLIED._compiled["default"]
        raw = connection.connection
        statement = raw.execute(
            "SELECT name FROM pg_prepared_statements WHERE statement = %s",
            [compiled.sql.replace("%s", "$1")],
            prepare=False,
        ).fetchone()[0]
        explain = ClientCursor(raw)
        explain.execute(f"EXPLAIN EXECUTE {statement}(%s)", [live_conversation.pk])
        plan = "\n".join(row[0] for row in explain.fetchall())
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET plan_cache_mode")
    assert found.summary == "Add 0"  # the latest decided
    assert "proposal_applied_latest" in plan and "Sort" not in plan, plan


def _run(conversation, name, call_id, arguments=None):
    from conversations.assistant import calls

    arguments = calls.arguments_parse(json.dumps(arguments or {}))
    request = calls.ToolRequest(name=name, arguments=arguments, tool_call_id=call_id)
    return calls.tool_call_execute(conversation=conversation, request=request)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
def test_a_decision_locks_the_owner_with_its_proposal_in_one_statement(live_conversation):
    import psycopg
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext

    proposed = _run(live_conversation, "add_schedule_event", "add-1",
                    {"title": "Gym", "start_time": future(hour=9)})  # fmt: skip
    owner = live_conversation.user_id
    db = connection.settings_dict
    other = psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"],
                            dbname=db["NAME"], autocommit=True)  # fmt: skip
    try:
        with transaction.atomic(), CaptureQueriesContext(connection) as captured:
            found = proposals.proposal_locked(
                conversation_id=live_conversation.pk, proposal_id=proposed["change_id"]
            )
            assert found.pk == proposed["change_id"] and len(captured) == 1
            with pytest.raises(psycopg.errors.LockNotAvailable):  # the owner's row is held
                other.execute("SELECT id FROM accounts_user WHERE id = %s FOR UPDATE NOWAIT",
                              [owner])  # fmt: skip
    finally:
        other.close()
    # Its services take that lock as held: the confirm sends no lock statement of its own.
    with CaptureQueriesContext(connection) as captured:
        confirmed = _run(live_conversation, "confirm_change", "yes-1",
                         {"change_id": proposed["change_id"]})  # fmt: skip
    assert confirmed["ok"] is True
    sql = [q["sql"] for q in captured.captured_queries]
    assert not [s for s in sql if s.startswith('SELECT "accounts_user"."id"') and "FOR UPDATE" in s]


def test_a_confirm_that_would_now_double_book_asks_what_to_do(call):
    # Both proposed while the hour was free; the second "yes" comes after the first took it.
    start = future(hour=9)
    first, second = (call("add_schedule_event", {"title": title, "start_time": start})
                     for title in ("Gym", "Dentist"))  # fmt: skip
    assert call("confirm_change", {"change_id": first["change_id"]})["ok"] is True
    refused = call("confirm_change", {"change_id": second["change_id"]})
    assert refused["ok"] is False and "overlaps Gym" in refused["say"]
    assert refused["say"].endswith("?")  # the person answers it: the LLM's next turn
    assert not Event.objects.filter(title="Dentist").exists()

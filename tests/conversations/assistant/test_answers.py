"""Every answer's `say` is words for the person; what the LLM needs goes in `hint`."""

import json

import pytest
from django.utils import timezone

from conversations.assistant.answers import STATES
from conversations.models import Proposal
from schedules.models import Event
from tests.conversations.assistant.speakable import speakable_problem
from tests.factories import days_ahead, future

pytestmark = pytest.mark.django_db


@pytest.fixture
def far_ids(user, other_user):
    """Events with ids no clock time or date could contain, so a leaked id can't hide."""
    mine = Event.objects.create(
        pk=987_651, owner=user, title="Dentist", start=days_ahead(user), end=days_ahead(user, 2, 15)
    )
    theirs = Event.objects.create(
        pk=987_652,
        owner=other_user,
        title="Secret",
        start=days_ahead(other_user),
        end=days_ahead(other_user, 2, 15),
    )
    return mine, theirs


def _every_answer(call, mine, theirs) -> list[dict]:
    """One of each kind of answer the tools give, refusals included."""
    proposed = call("add_schedule_event", {"title": "Gym", "start_time": future(hour=9)})
    expiring = call("update_schedule_event", {"event_id": mine.pk, "title": "Doctor"})
    Proposal.objects.filter(pk=expiring["change_id"]).update(expires_at=timezone.now())
    return [
        proposed,
        call("add_schedule_event", {"title": "Clash", "start_time": future(hour=14)}),
        call("add_schedule_event", {"title": "X", "start_time": "blorp"}),
        call(
            "add_schedule_event",
            {"title": "X", "start_time": future(hour=9), "end_time": future(hour=8)},
        ),
        call("add_schedule_event", {"start_time": "tomorrow at 3pm"}),
        call("update_schedule_event", {"event_id": theirs.pk, "title": "Mine"}),
        call("update_schedule_event", {"event_id": 5, "title": "Nope"}),
        call("update_schedule_event", {"event_id": mine.pk, "title": "Dentist"}),
        call("cancel_schedule_event", {"event_id": theirs.pk}),
        call("confirm_change", {"change_id": expiring["change_id"]}),
        call("confirm_change", {"change_id": 123_456}),
        call("confirm_change", {"change_id": proposed["change_id"]}),
        call("confirm_change", {"change_id": proposed["change_id"]}),
        call("discard_change", {}),
        call("undo_last_change", {}),
        call("undo_last_change", {"change_id": proposed["change_id"]}),
        call("list_schedule_events", {"when": "someday maybe"}),
        call("find_free_slots", {"duration_minutes": "forever"}),
        call("launch_rockets", {}),
    ]


def test_no_say_names_a_tool_an_id_or_speaks_to_the_llm(call, far_ids):
    mine, theirs = far_ids
    answers = _every_answer(call, mine, theirs)
    ids = (mine.pk, theirs.pk, 123_456)
    for answer in answers:
        assert speakable_problem(answer["say"], ids=ids) is None, answer
        assert len(answer["say"].split()) <= 60, answer
    refusals = [a for a in answers if not a["ok"]]
    assert len(refusals) >= 12
    # Where the LLM has something to do, it is told in the hint, not in the spoken words.
    assert any("list_schedule_events" in a.get("hint", "") for a in refusals)


def test_every_state_comes_from_the_one_set(call, far_ids):
    mine, theirs = far_ids
    states = {a["state"] for a in _every_answer(call, mine, theirs) if "state" in a}
    assert states and states <= set(STATES)
    assert set(STATES) == {"proposed", "applied", "discarded", "expired", "undone"}


def test_the_lint_itself_catches_what_it_should():
    assert speakable_problem("Call list_schedule_events to find it.") is not None
    assert speakable_problem("There's no event with id 12.") is not None
    assert speakable_problem("Ask the user how long it lasts.") is not None
    assert speakable_problem("Moved to Friday at 3:00 PM.", ids=(987_651,)) is None
    assert speakable_problem("Event 987651 moved.", ids=(987_651,)) is not None


@pytest.mark.parametrize(
    "path",
    [
        "/api/conversations/{conversation_id}/tool-calls/",
        "/api/conversations/{conversation_id}/changes/{change_id}/{action}/",
        "/api/tavus/tools/{name}/",
    ],
)
def test_the_openapi_enum_is_the_same_set(api_client, path):
    schema = json.loads(api_client.get("/api/schema/", HTTP_ACCEPT="application/json").content)
    answer = schema["paths"][path]["post"]["responses"]["200"]["content"]["application/json"]
    assert answer["schema"]["properties"]["state"]["enum"] == list(STATES)

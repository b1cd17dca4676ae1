import threading
from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import connection, connections
from django.http import Http404

from schedules import selectors, services
from schedules.errors import EventConflictError, EventInvalidError, UndoError
from schedules.models import Event, EventChange
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
CTX = services.ChangeContext()


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A UTC moment in the (future) week of Monday 2030-01-07."""
    return datetime(2030, 1, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def owner(db):
    return UserFactory(time_zone="UTC")


def create(owner, title="Dentist", start=None, end=None, **kwargs):
    start = start or at(8, 14)
    return services.event_create(
        owner=owner,
        title=title,
        start=start,
        end=end or start + timedelta(hours=1),
        context=CTX,
        **kwargs,
    )


def test_create_records_the_change(owner):
    event, change = create(owner)
    assert change.action == EventChange.Action.CREATE
    assert change.before is None
    assert change.after["title"] == "Dentist"
    assert change.after["start"] == "2030-01-08T14:00:00+00:00"
    assert event.source == Event.Source.WEB


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"end": at(8, 13)}, "end"),
        ({"end": at(8, 14)}, "end"),
        ({"end": at(8, 14) + timedelta(days=15)}, "end"),
        ({"location": "y" * 201}, "location"),
        ({"show_as": "maybe"}, "show_as"),
    ],
)
def test_create_refuses_invalid_events_and_writes_nothing(owner, kwargs, field):
    with pytest.raises(EventInvalidError) as exc:
        create(owner, **kwargs)
    assert exc.value.field == field
    assert not Event.objects.exists()
    assert not EventChange.objects.exists()


def test_create_refuses_naive_times(owner):
    with pytest.raises(EventInvalidError):
        create(owner, start=datetime(2030, 1, 8, 14), end=datetime(2030, 1, 8, 15))


def test_overlap_with_busy_event_is_refused_with_conflicts_and_alternatives(owner):
    dentist, _ = create(owner, start=at(8, 14))
    with pytest.raises(EventConflictError) as exc:
        create(owner, "Call", start=at(8, 14, 30))
    assert exc.value.conflicts == [dentist]
    assert "Dentist" in exc.value.message
    alternatives = exc.value.alternatives
    assert 1 <= len(alternatives) <= 3
    for start, end in alternatives:
        assert end - start == timedelta(hours=1)
        assert not (start < dentist.end and end > dentist.start)
    assert (at(8, 15), at(8, 16)) in alternatives  # right after the dentist
    assert Event.objects.count() == 1


def test_overlap_allowed_when_asked(owner):
    create(owner, start=at(8, 14))
    event, _ = create(owner, "Call", start=at(8, 14, 30), allow_conflict=True)
    assert event.pk


def test_free_and_cancelled_events_do_not_conflict(owner):
    create(owner, "Focus", start=at(8, 14), show_as=Event.ShowAs.FREE)
    cancelled, _ = create(owner, "Old", start=at(8, 16))
    services.event_cancel(event=cancelled, context=CTX)
    create(owner, "Call", start=at(8, 14, 30))
    create(owner, "Other", start=at(8, 16))


def test_touching_events_do_not_conflict(owner):
    create(owner, start=at(8, 14))
    create(owner, "Next", start=at(8, 15))


def test_other_users_events_never_conflict(owner):
    create(UserFactory(), start=at(8, 14))
    create(owner, start=at(8, 14))


def test_move_keeps_a_log_and_refuses_conflicts(owner):
    dentist, _ = create(owner, start=at(8, 14))
    create(owner, "Lunch", start=at(9, 12))
    with pytest.raises(EventConflictError):
        services.event_update(
            event=dentist, changes={"start": at(9, 12), "end": at(9, 13)}, context=CTX
        )
    _event, change = services.event_update(
        event=dentist, changes={"start": at(9, 15), "end": at(9, 16)}, context=CTX
    )
    assert change.action == EventChange.Action.MOVE
    assert change.before["start"] == "2030-01-08T14:00:00+00:00"
    assert change.after["start"] == "2030-01-09T15:00:00+00:00"


def test_update_without_difference_records_nothing(owner):
    event, _ = create(owner)
    _, change = services.event_update(event=event, changes={"title": "Dentist"}, context=CTX)
    assert change is None
    assert EventChange.objects.count() == 1


def test_update_refuses_unknown_fields(owner):
    event, _ = create(owner)
    with pytest.raises(EventInvalidError):
        services.event_update(event=event, changes={"owner": UserFactory()}, context=CTX)


def test_all_day_events_cover_whole_local_days():
    owner = UserFactory(time_zone="America/Los_Angeles")
    event, _ = create(owner, start=datetime(2030, 1, 8, 15, tzinfo=UTC), all_day=True)
    tz = owner.tz
    assert event.start.astimezone(tz).time() == time(0)
    assert event.end - event.start == timedelta(days=1)


def test_undo_create_removes_the_event(owner):
    event, change = create(owner)
    undo = services.event_change_undo(change=change, context=CTX)
    assert undo.reverts == change
    assert not Event.objects.filter(pk=event.pk).exists()


def test_undo_move_restores_the_old_time(owner):
    event, _ = create(owner, start=at(8, 14))
    _, move = services.event_update(
        event=event, changes={"start": at(10, 9), "end": at(10, 10)}, context=CTX
    )
    services.event_change_undo(change=move, context=CTX)
    event.refresh_from_db()
    assert (event.start, event.end) == (at(8, 14), at(8, 15))


def test_undo_cancel_restores_the_event(owner):
    event, _ = create(owner)
    _, cancel = services.event_cancel(event=event, context=CTX)
    services.event_change_undo(change=cancel, context=CTX)
    event.refresh_from_db()
    assert event.status == Event.Status.CONFIRMED


def test_undo_delete_brings_the_event_back(owner):
    event, _ = create(owner, location="Main St 1")
    deletion = services.event_delete(event=event, context=CTX)
    services.event_change_undo(change=deletion, context=CTX)
    restored = Event.objects.get(owner=owner)
    assert (restored.title, restored.location, restored.start) == (
        "Dentist",
        "Main St 1",
        at(8, 14),
    )


def test_undo_twice_is_refused(owner):
    _, change = create(owner)
    services.event_change_undo(change=change, context=CTX)
    with pytest.raises(UndoError, match="already been undone"):
        services.event_change_undo(change=change, context=CTX)


def test_undo_refused_when_the_event_changed_since(owner):
    event, created = create(owner)
    services.event_update(event=event, changes={"title": "Dentist (moved)"}, context=CTX)
    with pytest.raises(UndoError, match="changed since"):
        services.event_change_undo(change=created, context=CTX)


def test_undo_refuses_to_double_book(owner):
    event, _ = create(owner, start=at(8, 14))
    _, move = services.event_update(
        event=event, changes={"start": at(8, 16), "end": at(8, 17)}, context=CTX
    )
    create(owner, "Took the slot", start=at(8, 14))
    with pytest.raises(EventConflictError):
        services.event_change_undo(change=move, context=CTX)


def test_free_slots_respect_working_hours_busy_events_and_the_past(owner):
    owner.working_day_start, owner.working_day_end = time(9), time(17)
    create(owner, start=at(8, 10), end=at(8, 12))
    slots = selectors.free_slots_for_user(
        user=owner, start=at(8, 0), end=at(9, 0), duration=timedelta(minutes=60), now=at(8, 9, 20)
    )
    assert [(s.start, s.end) for s in slots] == [(at(8, 12), at(8, 17))]  # 9:30-10:00 is too short


def test_free_slots_in_local_time_across_dst():
    # Someone who works weekends: Sunday the 10th is spring-forward.
    owner = UserFactory(time_zone="America/New_York", working_days="0123456")
    start = datetime(2030, 3, 9, 5, tzinfo=UTC)  # Saturday 00:00 EST
    slots = selectors.free_slots_for_user(
        user=owner,
        start=start,
        end=start + timedelta(days=2),
        duration=timedelta(hours=1),
        now=start,
    )
    local = [
        (s.start.astimezone(owner.tz).time(), s.end.astimezone(owner.tz).time()) for s in slots
    ]
    assert local == [(time(9), time(18)), (time(9), time(18))]
    assert slots[1].end - slots[1].start == timedelta(hours=9)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_racing_bookings_of_one_slot_end_with_one_winner():
    owner = UserFactory(time_zone="UTC")
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def book(n):
        try:
            barrier.wait(timeout=10)
            create(owner, f"Racer {n}", start=at(8, 14))
            outcomes.append("won")
        except EventConflictError:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "won"]
    assert Event.objects.filter(owner=owner).count() == 1


def test_event_get_for_user_gives_the_row_the_orm_gives(owner, django_assert_num_queries):
    event, _ = create(owner, location="Room 4", reminders=[10, 60], show_as=Event.ShowAs.FREE)
    with django_assert_num_queries(1):
        found = selectors.event_get_for_user(user=owner, event_id=str(event.pk))
    expected = Event.objects.get(pk=event.pk)
    for field in Event._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
    assert found._state.adding is False and found._state.db == "default"
    found.title = "Saved again"
    found.save()  # an instance the ORM can save, as one it loaded
    assert Event.objects.get(pk=event.pk).title == "Saved again"


@pytest.mark.parametrize("event_id", ["0", "-3", str(2**63), "9" * 30, "abc", None, "1.5"])
def test_event_get_for_user_refuses_an_id_no_row_can_have_without_a_query(
    owner, event_id, django_assert_num_queries
):
    with django_assert_num_queries(0), pytest.raises(Http404):
        selectors.event_get_for_user(user=owner, event_id=event_id)


def test_event_get_for_user_does_not_give_another_users_event(owner):
    event, _ = create(UserFactory(time_zone="UTC"))
    with pytest.raises(Http404):
        selectors.event_get_for_user(user=owner, event_id=event.pk)


def _owner_lock_statements(owner_id: int) -> int:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        services.lock_owner(owner_id)
    return len(captured)


def test_the_owner_lock_is_skipped_only_for_the_owner_a_caller_locked(owner):
    from django.db import transaction

    other_owner = UserFactory()
    with transaction.atomic():
        assert _owner_lock_statements(owner.pk) == 1
        with services.owner_locked_by_caller(owner.pk):
            assert _owner_lock_statements(owner.pk) == 0
            assert _owner_lock_statements(other_owner.pk) == 1  # not the one the caller holds
        assert _owner_lock_statements(owner.pk) == 1  # the block is over

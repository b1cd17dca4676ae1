"""Recurring events: rules, expansion in the series' own zone (DST), exceptions, splits, undo,
conflicts, the API's occurrences and the feed, parsed back by another implementation."""

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from schedules import recurrence, selectors, series, services
from schedules.errors import EventConflictError, EventInvalidError
from schedules.models import Event, EventChange
from tests.factories import UserFactory, add_event

pytestmark = pytest.mark.django_db
NEW_YORK, BERLIN = ZoneInfo("America/New_York"), ZoneInfo("Europe/Berlin")


def ctx(user):
    return services.ChangeContext(actor=user)


def local(day: date, hour: int, tz: ZoneInfo, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


def add_series(owner, title, start, rule, *, hours=1, **kwargs):
    return add_event(owner, title, start, start + timedelta(hours=hours), recurrence=rule, **kwargs)


def occurrences(owner, start, end, title=None):
    found = selectors.event_list_for_user(user=owner, start=start, end=end)
    return [o for o in found if title is None or o.title == title]


def wall(found, tz):
    return [(o.start.astimezone(tz).date(), o.start.astimezone(tz).time()) for o in found]


# --- Rules -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10", "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10"),
        ("freq=daily;interval=1", "FREQ=DAILY"),
        ("FREQ=MONTHLY;BYDAY=2TU", "FREQ=MONTHLY;BYDAY=2TU"),
        # A date as UNTIL means the end of that day in the series' zone, stored in UTC.
        ("FREQ=DAILY;UNTIL=20301231", "FREQ=DAILY;UNTIL=20301231T225959Z"),
    ],
)
def test_rules_are_stored_in_one_form(text, stored):
    assert recurrence.rule_normalize(text, tz=BERLIN) == stored


@pytest.mark.parametrize(
    "text",
    [
        "FREQ=HOURLY",
        "FREQ=DAILY;BYHOUR=9,17",
        "FREQ=DAILY;COUNT=3;UNTIL=20301231",
        "FREQ=DAILY;COUNT=100000",
        "FREQ=WEEKLY;BYDAY=XX",
        "FREQ=WEEKLY;;INTERVAL=0",
        "nonsense",
        "FREQ=DAILY;UNTIL=2030-13-45",
    ],
)
def test_rules_dRAKO_cannot_keep_are_refused_in_words(text):
    with pytest.raises(recurrence.RecurrenceError) as refused:
        recurrence.rule_normalize(text, tz=BERLIN)
    assert refused.value.message


def test_a_bad_rule_is_a_400_naming_the_field(user_api):
    response = user_api.post(
        "/api/events/",
        {"title": "Standup", "start": "2030-01-07T09:00", "end": "2030-01-07T09:15",
         "recurrence": "FREQ=SECONDLY"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert "recurrence" in response.json()["errors"]


def test_rules_in_words():
    monday = local(date(2030, 1, 7), 9, BERLIN)
    said = {
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR": "every weekday",
        "FREQ=WEEKLY;BYDAY=MO,WE": "every Monday and Wednesday",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO": "every other week on Monday",
        "FREQ=MONTHLY;BYDAY=2TU": "monthly on the second Tuesday",
        "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=6": "monthly on day 31, 6 times",
        "FREQ=DAILY;UNTIL=20301231T225959Z": "every day, until December 31, 2030",
        "FREQ=YEARLY": "every year on January 7",
    }
    for rule, words in said.items():
        assert recurrence.rule_words(rule, monday, BERLIN) == words


# --- Expansion ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "spring", "autumn"),
    [
        ("America/New_York", date(2030, 3, 10), date(2030, 11, 3)),
        ("Europe/Berlin", date(2030, 3, 31), date(2030, 10, 27)),
    ],
)
def test_a_weekly_nine_oclock_stays_at_nine_across_both_dst_changes(zone, spring, autumn):
    tz = ZoneInfo(zone)
    owner = UserFactory(time_zone=zone)
    first = local(spring - timedelta(days=14), 9, tz)  # two Sundays before the spring change
    add_series(owner, "Review", first, "FREQ=WEEKLY")
    found = occurrences(owner, first, local(autumn + timedelta(days=15), 0, tz))
    assert {o.start.astimezone(tz).time() for o in found} == {time(9)}
    assert {o.end.astimezone(tz).time() for o in found} == {time(10)}
    days = [o.start.astimezone(tz).date() for o in found]
    assert spring in days and autumn in days and days == sorted(days)
    assert all(b - a == timedelta(days=7) for a, b in itertools.pairwise(days))
    # The UTC instants do move: that is what keeps the wall clock still.
    offsets = {o.start.astimezone(tz).utcoffset() for o in found}
    assert len(offsets) == 2
    # And each user sees it in their own zone: someone in Berlin sees New York's 9:00 move.
    if zone == "America/New_York":
        berlin_times = {o.start.astimezone(BERLIN).time() for o in found}
        # 15:00 most of the year, 14:00 in the weeks the US has changed and Europe not yet.
        assert berlin_times == {time(14), time(15)}


def test_a_monthly_31st_skips_the_months_without_one():
    owner = UserFactory(time_zone="Europe/Berlin")
    add_series(owner, "Rent", local(date(2030, 1, 31), 9, BERLIN), "FREQ=MONTHLY")
    found = occurrences(
        owner, local(date(2030, 1, 1), 0, BERLIN), local(date(2030, 9, 1), 0, BERLIN)
    )
    assert [o.start.astimezone(BERLIN).date() for o in found] == [
        date(2030, 1, 31), date(2030, 3, 31), date(2030, 5, 31), date(2030, 7, 31),
        date(2030, 8, 31),
    ]  # fmt: skip


def test_a_start_the_rule_does_not_match_moves_to_its_first_day(user):
    # Created on a Tuesday for "every Monday and Wednesday": the first is that Wednesday.
    event = add_series(user, "Gym", local(date(2030, 1, 8), 18, BERLIN), "FREQ=WEEKLY;BYDAY=MO,WE")
    assert event.start.astimezone(BERLIN) == local(date(2030, 1, 9), 18, BERLIN)
    assert event.time_zone == "Europe/Berlin"


def test_count_and_until_end_the_series(user):
    event = add_series(user, "Course", local(date(2030, 1, 7), 18, BERLIN), "FREQ=DAILY;COUNT=3")
    assert event.recurrence_end == local(date(2030, 1, 9), 19, BERLIN)
    found = occurrences(
        user, local(date(2030, 1, 1), 0, BERLIN), local(date(2030, 2, 1), 0, BERLIN)
    )
    assert len(found) == 3
    until = add_series(
        user, "Walk", local(date(2030, 1, 7), 7, BERLIN), "FREQ=DAILY;UNTIL=20300110"
    )
    assert until.recurrence_end == local(date(2030, 1, 10), 8, BERLIN)


def test_a_series_begun_long_ago_expands_the_same_as_from_its_start():
    owner = UserFactory(time_zone="America/New_York")
    add_series(
        owner, "Old", local(date(1990, 1, 3), 9, NEW_YORK), "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"
    )
    add_series(owner, "Monthly", local(date(1992, 2, 11), 9, NEW_YORK), "FREQ=MONTHLY;BYDAY=2TU")
    window = local(date(2030, 3, 1), 0, NEW_YORK), local(date(2030, 5, 1), 0, NEW_YORK)
    found = occurrences(owner, *window)
    rule = recurrence._rrule  # the plain, unshortened walk from the real start
    for title, text, first in (
        ("Old", "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", local(date(1990, 1, 3), 9, NEW_YORK)),
        ("Monthly", "FREQ=MONTHLY;BYDAY=2TU", local(date(1992, 2, 11), 9, NEW_YORK)),
    ):
        expected = rule(text, first).between(*window, inc=True)
        assert [o.start for o in found if o.title == title] == expected


# --- Exceptions, splits and undo ----------------------------------------------------------------


@pytest.fixture
def standup(user):
    return add_series(
        user, "Standup", local(date(2030, 1, 7), 9, BERLIN), "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        hours=0.25,
    )  # fmt: skip


def week(user, monday=date(2030, 1, 14)):
    return occurrences(user, local(monday, 0, BERLIN), local(monday + timedelta(days=7), 0, BERLIN))


def test_moving_one_occurrence_leaves_the_others(user, standup):
    thursday = local(date(2030, 1, 17), 9, BERLIN)
    occurrence = selectors.occurrence_get_for_user(
        user=user, event_id=standup.pk, recurrence_id=thursday
    )
    moved, change = series.occurrence_update(
        occurrence=occurrence, changes={"start": local(date(2030, 1, 17), 11, BERLIN)},
        context=ctx(user),
    )  # fmt: skip
    assert moved.series_id == standup.pk and moved.recurrence_id == thursday
    assert change.action == EventChange.Action.MOVE
    times = wall(week(user), BERLIN)
    assert times == [
        (date(2030, 1, 14), time(9)), (date(2030, 1, 15), time(9)), (date(2030, 1, 16), time(9)),
        (date(2030, 1, 17), time(11)), (date(2030, 1, 18), time(9)),
    ]  # fmt: skip
    assert [o.series_key for o in week(user)] == [standup.pk] * 5
    # Undo: the row goes, and Thursday is back at 9.
    services.event_change_undo(change=change, context=ctx(user))
    assert not Event.objects.filter(series=standup).exists()
    assert (date(2030, 1, 17), time(9)) in wall(week(user), BERLIN)


@pytest.mark.parametrize("second", ["move", "cancel"])
def test_an_occurrence_made_its_own_row_since_it_was_read_is_changed_there(user, standup, second):
    # Two changes about one occurrence at once: both read it before either made it a row.
    thursday = local(date(2030, 1, 17), 9, BERLIN)
    first_copy, second_copy = (
        selectors.occurrence_get_for_user(user=user, event_id=standup.pk, recurrence_id=thursday)
        for _ in range(2)
    )
    series.occurrence_update(
        occurrence=first_copy, changes={"title": "Standup (remote)"}, context=ctx(user)
    )
    if second == "move":
        event, change = series.occurrence_update(
            occurrence=second_copy, changes={"start": local(date(2030, 1, 17), 11, BERLIN)},
            context=ctx(user),
        )  # fmt: skip
    else:
        event, change = series.occurrence_cancel(occurrence=second_copy, context=ctx(user))
    own = Event.objects.get(series=standup, recurrence_id=thursday)
    assert event.pk == own.pk and change is not None and change.event_id == own.pk
    assert own.title == "Standup (remote)"  # the first change stays
    if second == "move":
        assert wall([own], BERLIN) == [(date(2030, 1, 17), time(11))]
    else:
        assert own.status == Event.Status.CANCELLED


def test_cancelling_one_occurrence_and_undoing_it(user, standup):
    wednesday = local(date(2030, 1, 16), 9, BERLIN)
    occurrence = selectors.occurrence_get_for_user(
        user=user, event_id=standup.pk, recurrence_id=wednesday
    )
    _event, change = series.occurrence_cancel(occurrence=occurrence, context=ctx(user))
    assert date(2030, 1, 16) not in [d for d, _t in wall(week(user), BERLIN)]
    assert len(week(user)) == 4
    services.event_change_undo(change=change, context=ctx(user))
    assert len(week(user)) == 5


def test_this_and_following_splits_the_series_cleanly(user, standup):
    # Tuesday's occurrence was moved earlier; it belongs to the second half after the split.
    tuesday = local(date(2030, 1, 21), 9, BERLIN) + timedelta(days=1)
    moved, _ = series.occurrence_update(
        occurrence=selectors.occurrence_get_for_user(
            user=user, event_id=standup.pk, recurrence_id=tuesday
        ),
        changes={"start": tuesday + timedelta(hours=5)},
        context=ctx(user),
    )
    thursday = local(date(2030, 1, 17), 9, BERLIN)
    occurrence = selectors.occurrence_get_for_user(
        user=user, event_id=standup.pk, recurrence_id=thursday
    )
    successor, change = series.occurrence_update(
        occurrence=occurrence,
        changes={"start": local(date(2030, 1, 17), 10, BERLIN), "title": "Daily sync"},
        scope=series.FOLLOWING,
        context=ctx(user),
    )
    standup.refresh_from_db()
    assert standup.recurrence == "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20300117T075959Z"
    assert successor.recurrence == "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    assert successor.start == local(date(2030, 1, 17), 10, BERLIN)
    assert wall(week(user), BERLIN) == [
        (date(2030, 1, 14), time(9)), (date(2030, 1, 15), time(9)), (date(2030, 1, 16), time(9)),
        (date(2030, 1, 17), time(10)), (date(2030, 1, 18), time(10)),
    ]  # fmt: skip
    assert [o.title for o in week(user)] == ["Standup"] * 3 + ["Daily sync"] * 2
    # The moved Tuesday follows its series: same occurrence (now at 10), same moved time.
    moved.refresh_from_db()
    assert moved.series_id == successor.pk
    assert moved.recurrence_id == local(date(2030, 1, 22), 10, BERLIN)
    assert moved.title == "Daily sync"
    next_week = wall(week(user, date(2030, 1, 21)), BERLIN)
    assert (date(2030, 1, 22), time(14)) in next_week and len(next_week) == 5
    # One undo puts it all back.
    services.event_change_undo(change=change, context=ctx(user))
    assert not Event.objects.filter(pk=successor.pk).exists()
    standup.refresh_from_db()
    assert standup.recurrence == "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    moved.refresh_from_db()
    assert moved.series_id == standup.pk and moved.recurrence_id == tuesday
    assert moved.title == "Standup"
    assert wall(week(user), BERLIN) == [(date(2030, 1, d), time(9)) for d in range(14, 19)]


def test_splitting_a_counted_series_keeps_the_count(user):
    course = add_series(user, "Course", local(date(2030, 1, 7), 18, BERLIN), "FREQ=DAILY;COUNT=10")
    fourth = local(date(2030, 1, 10), 18, BERLIN)
    successor, _ = series.occurrence_update(
        occurrence=selectors.occurrence_get_for_user(
            user=user, event_id=course.pk, recurrence_id=fourth
        ),
        changes={"start": local(date(2030, 1, 10), 19, BERLIN)},
        scope=series.FOLLOWING,
        context=ctx(user),
    )
    course.refresh_from_db()
    assert course.recurrence == "FREQ=DAILY;COUNT=3"
    assert successor.recurrence == "FREQ=DAILY;COUNT=7"
    found = occurrences(
        user, local(date(2030, 1, 1), 0, BERLIN), local(date(2030, 2, 1), 0, BERLIN)
    )
    assert len(found) == 10


def test_moving_all_moves_every_occurrence_and_undo_restores_it(user, standup):
    thursday = local(date(2030, 1, 17), 9, BERLIN)
    cancelled, _ = series.occurrence_cancel(
        occurrence=selectors.occurrence_get_for_user(
            user=user, event_id=standup.pk, recurrence_id=local(date(2030, 1, 15), 9, BERLIN)
        ),
        context=ctx(user),
    )
    _series, change = series.occurrence_update(
        occurrence=selectors.occurrence_get_for_user(
            user=user, event_id=standup.pk, recurrence_id=thursday
        ),
        changes={"start": local(date(2030, 1, 17), 9, BERLIN, 30)},
        scope=series.ALL,
        context=ctx(user),
    )
    # Every occurrence at 9:30; the cancelled Tuesday stays cancelled.
    assert wall(week(user), BERLIN) == [(date(2030, 1, d), time(9, 30)) for d in (14, 16, 17, 18)]
    cancelled.refresh_from_db()
    assert cancelled.recurrence_id == local(date(2030, 1, 15), 9, BERLIN, 30)
    services.event_change_undo(change=change, context=ctx(user))
    assert wall(week(user), BERLIN) == [(date(2030, 1, d), time(9)) for d in (14, 16, 17, 18)]


def test_moving_all_to_another_day_moves_the_rules_days(user):
    gym = add_series(user, "Gym", local(date(2030, 1, 7), 18, BERLIN), "FREQ=WEEKLY;BYDAY=MO,WE")
    moved, _ = series.occurrence_update(
        occurrence=selectors.occurrence_get_for_user(
            user=user, event_id=gym.pk, recurrence_id=local(date(2030, 1, 16), 18, BERLIN)
        ),
        changes={"start": local(date(2030, 1, 17), 18, BERLIN)},
        scope=series.ALL,
        context=ctx(user),
    )
    assert moved.recurrence == "FREQ=WEEKLY;BYDAY=TU,TH"
    assert [d.weekday() for d, _t in wall(week(user), BERLIN)] == [1, 3]


def test_cancelling_this_and_following_ends_the_series(user, standup):
    change = series.occurrence_cancel(
        occurrence=selectors.occurrence_get_for_user(
            user=user, event_id=standup.pk, recurrence_id=local(date(2030, 1, 16), 9, BERLIN)
        ),
        scope=series.FOLLOWING,
        context=ctx(user),
    )[1]
    assert len(week(user)) == 2
    assert week(user, date(2030, 2, 4)) == []
    services.event_change_undo(change=change, context=ctx(user))
    assert len(week(user, date(2030, 2, 4))) == 5


def test_cancelling_and_deleting_a_whole_series_can_be_undone(user, standup):
    moved, _ = series.occurrence_update(
        occurrence=selectors.occurrence_get_for_user(
            user=user, event_id=standup.pk, recurrence_id=local(date(2030, 1, 14), 9, BERLIN)
        ),
        changes={"start": local(date(2030, 1, 14), 12, BERLIN)},
        context=ctx(user),
    )
    _e, cancel = services.event_cancel(event=standup, context=ctx(user))
    assert week(user) == []  # the moved Monday went with it
    services.event_change_undo(change=cancel, context=ctx(user))
    assert len(week(user)) == 5
    delete = services.event_delete(event=Event.objects.get(pk=standup.pk), context=ctx(user))
    assert week(user) == [] and not Event.objects.filter(pk=moved.pk).exists()
    services.event_change_undo(change=delete, context=ctx(user))
    assert (date(2030, 1, 14), time(12)) in wall(week(user), BERLIN)
    assert Event.objects.get(pk=moved.pk).series_id == standup.pk


def test_stopping_a_series_after_a_date(user):
    gym = add_series(user, "Gym", local(date(2030, 11, 4), 18, BERLIN), "FREQ=WEEKLY")
    ended, change = series.series_end(
        series=gym, until=local(date(2031, 1, 1), 0, BERLIN), context=ctx(user)
    )
    assert ended.recurrence_end == local(date(2030, 12, 30), 19, BERLIN)
    assert (
        occurrences(user, local(date(2031, 1, 1), 0, BERLIN), local(date(2031, 3, 1), 0, BERLIN))
        == []
    )
    services.event_change_undo(change=change, context=ctx(user))
    gym.refresh_from_db()
    assert gym.recurrence == "FREQ=WEEKLY" and gym.recurrence_end is None


def test_a_series_that_would_have_no_occurrences_is_refused(user):
    with pytest.raises(EventInvalidError) as refused:
        add_series(user, "Never", local(date(2030, 1, 7), 9, BERLIN), "FREQ=DAILY;UNTIL=20300101")
    assert refused.value.field == "recurrence"


# --- Conflicts and free time ----------------------------------------------------------------


def test_a_new_event_conflicts_with_an_occurrence(user, standup):
    with pytest.raises(EventConflictError) as refused:
        add_event(user, "Call", local(date(2030, 3, 6), 9, BERLIN))  # a Wednesday, weeks on
    assert [c.title for c in refused.value.conflicts] == ["Standup"]
    assert refused.value.conflicts[0].recurrence_id == local(date(2030, 3, 6), 9, BERLIN)


def test_a_new_series_conflicts_with_an_event_on_one_of_its_days(user):
    add_event(user, "Dentist", local(date(2030, 2, 5), 18, BERLIN))
    with pytest.raises(EventConflictError) as refused:
        add_series(user, "Gym", local(date(2030, 1, 8), 18, BERLIN), "FREQ=WEEKLY")
    assert [c.title for c in refused.value.conflicts] == ["Dentist"]
    assert "Feb 5" in refused.value.message


def test_moving_an_occurrence_onto_its_own_time_is_no_conflict(user, standup):
    occurrence = selectors.occurrence_get_for_user(
        user=user, event_id=standup.pk, recurrence_id=local(date(2030, 1, 17), 9, BERLIN)
    )
    moved, _ = series.occurrence_update(
        occurrence=occurrence, changes={"start": local(date(2030, 1, 17), 9, BERLIN, 5)},
        context=ctx(user),
    )  # fmt: skip
    assert moved.pk


def test_free_slots_see_every_occurrence(user, standup):
    slots = selectors.free_slots_for_user(
        user=user,
        start=local(date(2030, 1, 14), 0, BERLIN),
        end=local(date(2030, 1, 16), 0, BERLIN),
        duration=timedelta(minutes=30),
        now=local(date(2030, 1, 1), 0, BERLIN),
        day_start=time(8),
        day_end=time(12),
    )
    spans = [(s.start.astimezone(BERLIN).time(), s.end.astimezone(BERLIN).time()) for s in slots]
    assert spans == [(time(8), time(9)), (time(9, 15), time(12))] * 2


# --- The API --------------------------------------------------------------------------------


def test_the_api_lists_occurrences_and_changes_one(user_api, user):
    created = user_api.post(
        "/api/events/",
        {"title": "Standup", "start": "2030-01-07T09:00", "end": "2030-01-07T09:15",
         "recurrence": "RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR"},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["recurrence"] == "FREQ=WEEKLY;BYDAY=MO,WE,FR" and body["recurrence_id"] is None
    listed = user_api.get("/api/events/?start=2030-01-07T00:00&end=2030-01-14T00:00").json()
    assert [e["start"] for e in listed] == [
        "2030-01-07T09:00:00+01:00", "2030-01-09T09:00:00+01:00", "2030-01-11T09:00:00+01:00"
    ]  # fmt: skip
    assert {e["id"] for e in listed} == {body["id"]}
    assert [e["recurrence_id"] for e in listed] == [e["start"] for e in listed]
    wednesday = listed[1]["recurrence_id"]
    path = f"/api/events/{body['id']}/?occurrence={wednesday}"  # its '+' arrives as a space
    moved = user_api.patch(path, {"start": "2030-01-09T14:00"}, format="json")
    assert moved.status_code == 200, moved.json()
    assert moved.json()["start"] == "2030-01-09T14:00:00+01:00"
    assert moved.json()["recurrence_id"] == wednesday and moved.json()["id"] == body["id"]
    assert (
        user_api.delete(f"/api/events/{body['id']}/?occurrence=2030-01-11T09:00").status_code == 204
    )
    listed = user_api.get("/api/events/?start=2030-01-07T00:00&end=2030-01-14T00:00").json()
    assert [e["start"] for e in listed] == [
        "2030-01-07T09:00:00+01:00",
        "2030-01-09T14:00:00+01:00",
    ]
    single = user_api.post(
        "/api/events/",
        {"title": "Dentist", "start": "2030-01-08T15:00", "end": "2030-01-08T16:00"},
        format="json",
    ).json()
    assert single["recurrence"] is None and single["recurrence_id"] is None


def test_the_api_refuses_an_occurrence_the_series_does_not_have(user_api, other_api, standup):
    base = f"/api/events/{standup.pk}/"
    assert user_api.patch(f"{base}?occurrence=2030-01-12T09:00", {"title": "x"}).status_code == 404
    assert user_api.patch(f"{base}?occurrence=garbage", {"title": "x"}).status_code == 400
    assert (
        user_api.patch(
            f"{base}?occurrence=2030-01-14T09:00&scope=sometimes", {"title": "x"}
        ).status_code
        == 400
    )
    # Another user's series is no different from none at all.
    assert other_api.patch(f"{base}?occurrence=2030-01-14T09:00", {"title": "x"}).status_code == 404
    assert other_api.delete(f"{base}?occurrence=2030-01-14T09:00").status_code == 404
    assert Event.objects.filter(series=standup).count() == 0


def test_the_api_splits_with_scope_following(user_api, standup):
    response = user_api.patch(
        f"/api/events/{standup.pk}/?occurrence=2030-01-16T09:00&scope=following",
        {"start": "2030-01-16T08:30"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["id"] != standup.pk
    assert response.json()["start"] == "2030-01-16T08:30:00+01:00"


def test_queries_for_a_list_and_a_week_page_stay_constant_with_100_series(client, user_api, user):
    def series_of(n):
        first = local(date(2030, 1, 7), 0, BERLIN)
        Event.objects.bulk_create(
            Event(owner=user, title=f"Series {i}", start=first + timedelta(minutes=10 * i),
                  end=first + timedelta(minutes=10 * i + 5), recurrence="FREQ=DAILY",
                  time_zone="Europe/Berlin")
            for i in range(n)
        )  # fmt: skip

    client.force_login(user)
    page = reverse("schedules:schedule") + "?view=week&date=2030-01-15"
    api = "/api/events/?start=2030-01-14T00:00&end=2030-01-21T00:00"
    counts = []
    for n in (1, 99):
        series_of(n)
        with CaptureQueriesContext(connection) as listed:
            assert len(user_api.get(api).json()) == 7 * Event.objects.filter(owner=user).count()
        with CaptureQueriesContext(connection) as paged:
            assert client.get(page).status_code == 200
        counts.append((len(listed), len(paged)))
    assert counts[0] == counts[1], counts


# --- The feed -------------------------------------------------------------------------------


def test_the_feed_exports_rrule_exdate_and_recurrence_id(client, user, standup, monkeypatch):
    monkeypatch.setattr("schedules.feed.FEED_FUTURE", timedelta(days=365 * 10))  # to 2030
    thursday = local(date(2030, 1, 17), 9, BERLIN)
    for day, change in ((date(2030, 1, 15), None), (date(2030, 1, 17), 11)):
        occurrence = selectors.occurrence_get_for_user(
            user=user, event_id=standup.pk, recurrence_id=local(day, 9, BERLIN)
        )
        if change is None:
            series.occurrence_cancel(occurrence=occurrence, context=ctx(user))
        else:
            series.occurrence_update(occurrence=occurrence, changes={
                "start": local(day, change, BERLIN)}, context=ctx(user))  # fmt: skip
    ny = UserFactory(time_zone="America/New_York")
    add_series(ny, "Review", local(date(2030, 3, 3), 9, NEW_YORK), "FREQ=WEEKLY;COUNT=12")
    for owner, first, last in (
        (user, date(2030, 1, 7), date(2030, 2, 1)),
        (ny, date(2030, 3, 1), date(2030, 6, 1)),
    ):
        body = client.get(reverse("schedules:calendar-feed", args=[owner.calendar_token]))
        calendar = icalendar.Calendar.from_ical(body.content)
        start, end = local(first, 0, owner.tz), local(last, 0, owner.tz)
        theirs = recurring_ical_events.of(calendar).between(start, end)
        ours = occurrences(owner, start, end)
        assert sorted((e["SUMMARY"], e.decoded("DTSTART").astimezone(UTC)) for e in theirs) == [
            (o.title, o.start) for o in ours
        ]
        assert len(ours) >= 11
    text = body.content.decode()
    assert (
        "RRULE:FREQ=WEEKLY;COUNT=12" in text
        and "DTSTART;TZID=America/New_York:20300303T090000" in text
    )
    assert "BEGIN:VTIMEZONE" in text
    berlin = client.get(
        reverse("schedules:calendar-feed", args=[user.calendar_token])
    ).content.decode()
    assert "EXDATE;TZID=Europe/Berlin:20300115T090000" in berlin
    assert "RECURRENCE-ID;TZID=Europe/Berlin:20300117T090000" in berlin
    assert thursday.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") not in berlin


def test_deleting_the_owner_takes_series_and_exceptions_with_it(user, standup):
    series.occurrence_cancel(
        occurrence=selectors.occurrence_get_for_user(
            user=user, event_id=standup.pk, recurrence_id=local(date(2030, 1, 15), 9, BERLIN)
        ),
        context=ctx(user),
    )
    user.delete()
    assert not Event.objects.exists()


def test_patching_a_series_moves_every_occurrence_with_its_days(user_api, user):
    gym = add_series(user, "Gym", local(date(2030, 1, 7), 18, BERLIN), "FREQ=WEEKLY;BYDAY=MO")
    response = user_api.patch(
        f"/api/events/{gym.pk}/", {"start": "2030-01-08T19:00"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["recurrence"] == "FREQ=WEEKLY;BYDAY=TU"
    assert wall(week(user), BERLIN) == [(date(2030, 1, 15), time(19))]
    assert (
        user_api.patch(f"/api/events/{gym.pk}/", {"recurrence": None}, format="json").status_code
        == 400
    )

"""drako.prepared: an ORM query compiled once answers as the ORM would, with new values."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext

from drako.prepared import PreparedQuery, _bound
from schedules.models import Event
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2030, 1, 7, 9, tzinfo=UTC)


def _events(owner_id, start, end):
    return (
        Event.objects.filter(owner_id=owner_id, start__lt=end, end__gt=start)
        .order_by("start", "id")
        .values_list("id", "title", "start")
    )


def test_rows_are_the_orms_rows_for_every_set_of_values(user, other_user):
    mine = [EventFactory(owner=user, start=T0 + timedelta(hours=3 * i)) for i in range(4)]
    EventFactory(owner=other_user, start=T0)
    events = PreparedQuery(_events, owner_id=int, start=datetime, end=datetime)
    for owner, start, end in [
        (user.pk, T0, T0 + timedelta(days=1)),
        (user.pk, T0 + timedelta(hours=4), T0 + timedelta(hours=8)),
        (other_user.pk, T0, T0 + timedelta(hours=1)),
        (user.pk, T0 - timedelta(days=9), T0 - timedelta(days=8)),
    ]:
        assert events.rows(owner_id=owner, start=start, end=end) == list(_events(owner, start, end))
    found = events.rows(owner_id=user.pk, start=T0, end=T0 + timedelta(days=1))
    assert [row[0] for row in found] == [e.pk for e in mine]
    assert all(row[2].tzinfo is not None for row in found)  # converted as the ORM converts


def test_it_is_built_and_compiled_once_then_one_query_per_run(user):
    EventFactory(owner=user, start=T0)
    built = []

    def build(owner_id, start, end):
        built.append(owner_id)
        return _events(owner_id, start, end)

    events = PreparedQuery(build, owner_id=int, start=datetime, end=datetime)
    events.rows(owner_id=user.pk, start=T0, end=T0 + timedelta(hours=2))
    compiles = len(built)
    with CaptureQueriesContext(connection) as queries:
        for hours in range(1, 4):
            events.rows(owner_id=user.pk, start=T0, end=T0 + timedelta(hours=hours))
    assert len(built) == compiles  # nothing built again
    assert len(queries) == 3


def test_columns_are_converted_as_the_orm_converts_them(user):
    EventFactory(owner=user, title="Gym", reminders=[10, 60])
    reminders = PreparedQuery(
        lambda title: Event.objects.filter(title=title).values_list("reminders"), title=str
    )
    assert reminders.rows(title="Gym") == [([10, 60],)]  # JSON decoded, on every backend
    assert reminders.rows(title="Swim") == []


def test_a_value_computed_from_a_parameter_is_refused_when_compiled(user):
    derived = PreparedQuery(
        lambda start: Event.objects.filter(start__gt=start - timedelta(days=1)).values_list("id"),
        start=datetime,
    )
    with pytest.raises(ImproperlyConfigured, match="pass it as a parameter of its own"):
        derived.rows(start=T0)


def test_a_parameter_the_query_does_not_use_is_refused(user):
    unused = PreparedQuery(
        lambda owner_id, title: Event.objects.filter(owner_id=owner_id).values_list("id"),
        owner_id=int,
        title=str,
    )
    with pytest.raises(ImproperlyConfigured, match="unused"):
        unused.rows(owner_id=user.pk, title="x")


def test_a_transformed_text_parameter_is_refused(user):
    # icontains wraps the value in %…%: the compiled query could not follow a new value.
    searched = PreparedQuery(
        lambda title: Event.objects.filter(title__icontains=title).values_list("id"), title=str
    )
    with pytest.raises(ImproperlyConfigured):
        searched.rows(title="gym")


def test_constants_with_quotes_and_percent_signs_answer_as_the_orm(user):
    # On PostgreSQL the constants are written into the SQL as literals: quoting and the
    # %-binding the SQL still goes through must both hold.
    for title in ("O'Brien's 50% off", "%s", "100%%", "\\"):
        EventFactory(owner=user, title=title, start=T0)
    for title in ("O'Brien's 50% off", "%s", "100%%", "\\", "none"):
        by_title = PreparedQuery(
            lambda owner_id, _title=title: Event.objects.filter(
                owner_id=owner_id, title=_title
            ).values_list("title"),
            owner_id=int,
        )
        expected = list(Event.objects.filter(owner_id=user.pk, title=title).values_list("title"))
        assert by_title.rows(owner_id=user.pk) == expected
        assert len(expected) == (0 if title == "none" else 1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_the_schedule_windows_one_plan_can_use_the_series_index(user, settings):
    """PostgreSQL settles on one plan for a prepared statement, made without its values. The
    window's `recurrence = ''` must reach that plan as a literal, or the partial index of
    series (`WHERE NOT recurrence = ''`) can't be used and every event of the owner is read."""
    from psycopg import ClientCursor

    from schedules.selectors import _WINDOW_ROWS

    settings.DATABASE_PREPARED_STATEMENTS = True
    compiled = _WINDOW_ROWS._compile("default")
    assert '"schedules_event"."recurrence" = \'\'' in compiled.sql
    bound = [value for kind, value in compiled.slots if kind == "constant"]
    assert not [value for value in bound if isinstance(value, str | int)]  # JSON alone stays
    params = {"owner_id": user.pk, "start": T0, "end": T0 + timedelta(days=1), "earliest": T0}
    with connection.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = force_generic_plan")
    try:
        _WINDOW_ROWS.rows(**params)  # prepared on the server, by psycopg
        raw = connection.connection
        statement = raw.execute(
            "SELECT name FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%schedules_event%calendars_calendarevent%"],
            prepare=False,
        ).fetchone()[0]
        adapt = connection.ops.adapt_datetimefield_value
        values = [_bound(slot, params, adapt) for slot in compiled.slots]
        explain = ClientCursor(raw)
        explain.execute(f"EXPLAIN EXECUTE {statement}({', '.join(['%s'] * len(values))})", values)
        plan = "\n".join(row[0] for row in explain.fetchall())
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET plan_cache_mode")
    assert "$1" in plan or "$2" in plan  # the generic plan indeed: the values are unknown to it
    assert "(recurrence)::text <> $" not in plan and "(recurrence)::text = $" not in plan
    assert "(recurrence)::text <> ''::text" in plan or "event_series" in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_the_hot_statements_are_prepared_on_the_server(user, settings):
    from drako.prepared import statement_cursor

    EventFactory(owner=user, start=T0)
    events = PreparedQuery(_events, owner_id=int, start=datetime, end=datetime)
    for _ in range(2):
        events.rows(owner_id=user.pk, start=T0, end=T0 + timedelta(hours=2))
    with statement_cursor(connection) as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                       ["%schedules_event%"])  # fmt: skip
        prepared = cursor.fetchone()[0]
    assert prepared >= 1 if settings.DATABASE_PREPARED_STATEMENTS else prepared == 0

"""drako.prepared: an ORM query compiled once answers as the ORM would, with new values."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models.signals import post_save, pre_delete, pre_save
from django.test.utils import CaptureQueriesContext

from drako.prepared import (
    PreparedQuery,
    PreparedUpdate,
    _bound,
    delete,
    insert,
    update_fields,
)
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


# --- writes: one table's UPDATE, and a new row's INSERT ------------------------------------------


def _set_aside(owner_id, title, at):
    return (
        Event.objects.filter(owner_id=owner_id, title=title, status=Event.Status.CONFIRMED),
        {"status": Event.Status.CANCELLED, "updated_at": at},
    )


def test_an_update_changes_the_rows_the_orms_update_changes(user, other_user):
    mine = [EventFactory(owner=user, title=title, start=T0) for title in ("A", "A", "B")]
    theirs = EventFactory(owner=other_user, title="A", start=T0)
    update = PreparedUpdate(_set_aside, owner_id=int, title=str, at=datetime)
    at = T0 + timedelta(days=1)
    assert update.run(owner_id=user.pk, title="A", at=at) == 2
    assert update.run(owner_id=user.pk, title="A", at=at) == 0  # no longer confirmed
    expected = [Event.Status.CANCELLED, Event.Status.CANCELLED, Event.Status.CONFIRMED]
    assert [Event.objects.get(pk=e.pk).status for e in mine] == expected
    assert Event.objects.get(pk=mine[0].pk).updated_at == at
    assert Event.objects.get(pk=theirs.pk).status == Event.Status.CONFIRMED
    with CaptureQueriesContext(connection) as queries:
        update.run(owner_id=user.pk, title="B", at=at)
    assert len(queries) == 1


def test_an_update_that_needs_another_table_is_refused(user):
    joined = PreparedUpdate(
        lambda name: (Event.objects.filter(owner__username=name), {"title": "x"}), name=str
    )
    with pytest.raises(ImproperlyConfigured, match="not one table"):
        joined.run(name=user.username)


def _column_values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_insert_saves_the_row_model_save_saves(user):
    fields = {"owner": user, "title": "Dentist", "start": T0, "end": T0 + timedelta(hours=1),
              "location": "Room 4", "reminders": [10, 60]}  # fmt: skip
    ours, theirs = Event(**fields), Event(**fields)
    insert(ours)
    theirs.save()
    assert ours.pk is not None and ours.pk != theirs.pk
    assert ours._state.adding is False and ours._state.db == "default"
    stored = _column_values(Event.objects.get(pk=ours.pk))
    saved = _column_values(Event.objects.get(pk=theirs.pk))
    different = {"id", "created_at", "updated_at"}  # its own key, and the moment it was saved
    assert {k: v for k, v in stored.items() if k not in different} == {
        k: v for k, v in saved.items() if k not in different
    }
    assert stored["created_at"] == ours.created_at is not None  # auto_now_add, as save() sets it
    ours.title = "Saved again"
    ours.save()  # an instance the ORM goes on with, as one it saved itself
    assert Event.objects.get(pk=ours.pk).title == "Saved again"


def test_insert_sends_pre_and_post_save_as_save_does(user):
    seen = []

    def pre(sender, instance, **kwargs):
        seen.append(("pre", instance.pk, kwargs["raw"], kwargs["update_fields"]))

    def post(sender, instance, created, **kwargs):
        seen.append(("post", instance.pk, created, kwargs["using"]))

    pre_save.connect(pre, sender=Event)
    post_save.connect(post, sender=Event)
    try:
        event = Event(owner=user, title="Gym", start=T0, end=T0 + timedelta(hours=1))
        insert(event)
    finally:
        pre_save.disconnect(pre, sender=Event)
        post_save.disconnect(post, sender=Event)
    assert seen == [("pre", None, False, None), ("post", event.pk, True, "default")]


def test_a_failed_insert_in_a_transaction_marks_it_for_rollback_as_save_does(user):
    unsaved_owner = type(user)(username="not-saved")
    with pytest.raises(ValueError, match="unsaved related object"):
        insert(Event(owner=unsaved_owner, title="x", start=T0, end=T0 + timedelta(hours=1)))
    # An occurrence's time without its series breaks event_exception_of_a_series at once.
    orphan = Event(owner=user, title="x", start=T0, end=T0 + timedelta(hours=1), recurrence_id=T0)
    with transaction.atomic():
        with pytest.raises(IntegrityError):
            insert(orphan)
        assert connection.needs_rollback  # so the block rolls back as it ends
    assert not Event.objects.filter(title="x").exists()


def test_update_fields_writes_those_fields_as_save_does(user):
    event = EventFactory(owner=user, title="Gym", location="Hall", start=T0)
    before = Event.objects.get(pk=event.pk)
    seen = []

    def post(sender, instance, created, update_fields, **kwargs):
        seen.append((instance.pk, created, update_fields))

    event.title, event.location = "Swim", "Pool"  # only the title is saved
    post_save.connect(post, sender=Event)
    try:
        update_fields(event, ["title", "updated_at"])
    finally:
        post_save.disconnect(post, sender=Event)
    stored = Event.objects.get(pk=event.pk)
    assert (stored.title, stored.location) == ("Swim", "Hall")
    assert stored.updated_at > before.updated_at  # auto_now, as save(update_fields) sets it
    assert seen == [(event.pk, False, frozenset({"title", "updated_at"}))]


def test_update_fields_takes_a_foreign_keys_name_or_column(user, other_user):
    event = EventFactory(owner=user, start=T0)
    event.owner = other_user
    update_fields(event, ["owner"])
    assert Event.objects.get(pk=event.pk).owner_id == other_user.pk
    event.owner_id = user.pk
    update_fields(event, ["owner_id"])
    assert Event.objects.get(pk=event.pk).owner_id == user.pk
    with pytest.raises(ValueError, match="no field"):
        update_fields(event, ["nonsense"])


def test_update_fields_of_a_row_that_is_gone_is_an_error_as_save_says(user):
    event = EventFactory(owner=user, start=T0)
    Event.objects.filter(pk=event.pk).delete()
    event.title = "Gone"
    with pytest.raises(Event.NotUpdated, match="did not affect any rows"):
        update_fields(event, ["title"])
    assert issubclass(Event.NotUpdated, DatabaseError)


def test_update_fields_of_nothing_writes_nothing_as_save_does(user, django_assert_num_queries):
    event = EventFactory(owner=user, start=T0)
    with django_assert_num_queries(0):
        update_fields(event, [])


def test_insert_of_an_instance_with_its_key_set_keeps_that_key(user):
    event = Event(pk=424242, owner=user, title="Kept", start=T0, end=T0 + timedelta(hours=1))
    insert(event)
    assert Event.objects.get(pk=424242).title == "Kept"


# --- delete: the row, and every link the collector would clear ----------------------------------


def test_delete_clears_the_links_and_removes_the_row_as_the_orm_does(user):
    from conversations.models import Conversation, Proposal
    from schedules.models import EventChange

    ours, theirs = (EventFactory(owner=user, start=T0) for _ in range(2))
    conversation = Conversation.objects.create(user=user)
    for event in (ours, theirs):
        EventChange.objects.create(owner=user, event=event, action="create", source="web")
        Proposal.objects.create(conversation=conversation, kind="cancel", event=event,
                                summary="x", expires_at=T0)  # fmt: skip
    pk = ours.pk
    with CaptureQueriesContext(connection) as queries:
        delete(ours)
    theirs.delete()
    assert ours.pk is None and not Event.objects.filter(pk__in=[pk, theirs.pk]).exists()
    assert EventChange.objects.filter(event__isnull=True).count() == 2  # both cleared alike
    assert Proposal.objects.filter(event__isnull=True).count() == 2
    if connection.vendor == "postgresql":
        assert len(queries) == 1  # the links and the row in one statement


def test_delete_leaves_a_listened_model_to_the_orm(user):
    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(instance.pk)

    event = EventFactory(owner=user, start=T0)
    pk = event.pk
    pre_delete.connect(listener, sender=Event)
    try:
        delete(event)
    finally:
        pre_delete.disconnect(listener, sender=Event)
    assert seen == [pk] and not Event.objects.filter(pk=pk).exists()

"""Reminders before events: planned from each event's `reminders`, sent once, never for cancelled
events or occurrences, re-planned when an event moves, dropped when far too late."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from schedules import reminders, series, services
from schedules.models import Event, Notice
from schedules.selectors import occurrence_get_for_user
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CONTEXT = services.ChangeContext()
START = datetime(2030, 3, 12, 10, 0, tzinfo=UTC)  # a Tuesday
MINUTE = timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.DRAKO_PUBLIC_URL = "https://drako.example.com"


@pytest.fixture
def owner(db):
    return UserFactory(username="rita", email="rita@example.com", email_verified=True,
                       time_zone="Europe/Berlin", display_name="Rita")  # fmt: skip


def _event(owner, start=START, **fields) -> Event:
    event, _change = services.event_create(
        owner=owner, title=fields.pop("title", "Dentist"), start=start,
        end=start + timedelta(hours=1), context=CONTEXT, **fields,
    )  # fmt: skip
    return event


def test_a_new_event_takes_the_owners_default_and_keeps_its_own(owner):
    assert _event(owner).reminders == [10]
    assert _event(owner, START + timedelta(hours=2), reminders=[60, 5, 60]).reminders == [5, 60]
    owner.reminder_minutes = None
    assert _event(owner, START + timedelta(hours=4)).reminders == []


@pytest.mark.parametrize("bad", [[-1], [10081], [1, 2, 3, 4, 5, 6], ["10"], [True], "10"])
def test_reminders_out_of_bounds_are_refused(owner, bad):
    with pytest.raises(services.EventInvalidError) as refused:
        _event(owner, reminders=bad)
    assert refused.value.field == "reminders"
    assert not Event.objects.exists()


def test_a_reminder_is_sent_once_at_its_time(owner, mailoutbox):
    _event(owner, location="Main St 1")
    assert reminders.reminders_send_due(now=START - 11 * MINUTE) == 0
    assert reminders.reminders_send_due(now=START - 10 * MINUTE) == 1
    assert reminders.reminders_send_due(now=START - 9 * MINUTE) == 0
    (mail,) = mailoutbox
    assert mail.to == ["rita@example.com"]
    assert mail.subject == "Reminder: Dentist at 11:00 AM"  # Berlin, the owner's zone
    assert "Dentist starts today, Tuesday, March 12 at 11:00 AM." in mail.body
    assert "Where: Main St 1" in mail.body
    assert "Talk to DRAKO: https://drako.example.com/conversations/start/" in mail.body
    notice = Notice.objects.get()
    assert (notice.outcome, notice.channel, notice.minutes) == ("sent", "email", 10)


def test_a_reminder_speaks_the_owners_language(owner, mailoutbox):
    owner.language = "spanish"
    owner.save()
    _event(owner, title="Dentista")
    reminders.reminders_send_due(now=START - 10 * MINUTE)
    (mail,) = mailoutbox
    assert mail.subject == "Recordatorio: Dentista a las 11:00"
    assert "Hablar con DRAKO" in mail.body


def test_each_reminder_of_an_event_is_sent(owner, mailoutbox):
    _event(owner, reminders=[0, 60])
    sent = [reminders.reminders_send_due(now=START - m * MINUTE) for m in (60, 30, 0)]
    assert sent == [1, 0, 1]


def test_a_reminder_far_too_late_is_dropped_not_sent(owner, mailoutbox):
    """No worker ran from before 09:50 until 10:21: the 09:50 reminder is not sent at 10:21."""
    _event(owner)
    late = START - 10 * MINUTE + reminders.LATE_LIMIT
    assert reminders.reminders_send_due(now=late) == 0
    assert reminders.reminders_send_due(now=late - MINUTE) == 1  # 29 minutes late: still sent
    assert len(mailoutbox) == 1


def test_no_reminder_after_the_event_has_ended(owner, mailoutbox):
    services.event_create(owner=owner, title="Quick call", start=START, end=START + 5 * MINUTE,
                          reminders=[0], context=CONTEXT)  # fmt: skip
    assert reminders.reminders_send_due(now=START + 5 * MINUTE) == 0
    assert mailoutbox == []


def test_no_reminder_for_a_cancelled_event(owner, mailoutbox):
    services.event_cancel(event=_event(owner), context=CONTEXT)
    assert reminders.reminders_send_due(now=START - 10 * MINUTE) == 0
    assert mailoutbox == []


def test_a_moved_event_reminds_at_its_new_time_and_never_twice_for_one_time(owner, mailoutbox):
    event = _event(owner)
    assert reminders.reminders_send_due(now=START - 10 * MINUTE) == 1
    later = START + timedelta(hours=3)
    services.event_update(event=event, changes={"start": later}, context=CONTEXT)
    assert reminders.reminders_send_due(now=START - 9 * MINUTE) == 0  # the old time is gone
    assert reminders.reminders_send_due(now=later - 10 * MINUTE) == 1
    # Moved back to the first time: reminded of already, so not again.
    services.event_update(event=event, changes={"start": START}, context=CONTEXT)
    assert reminders.reminders_send_due(now=START - 8 * MINUTE) == 0
    assert len(mailoutbox) == 2


def test_an_event_moved_before_its_reminder_reminds_only_at_the_new_time(owner, mailoutbox):
    event = _event(owner)
    later = START + timedelta(days=1)
    services.event_update(event=event, changes={"start": later}, context=CONTEXT)
    assert reminders.reminders_send_due(now=START - 10 * MINUTE) == 0
    assert reminders.reminders_send_due(now=later - 10 * MINUTE) == 1


def test_each_occurrence_of_a_series_reminds_at_its_wall_time_across_dst(owner, mailoutbox):
    """A weekly 09:00 Berlin series across the end of March: 08:50 local each week."""
    berlin = ZoneInfo("Europe/Berlin")
    first = datetime(2030, 3, 19, 9, 0, tzinfo=berlin)  # CET; from March 31 on it is CEST
    _event(owner, start=first, recurrence="FREQ=WEEKLY;COUNT=4", title="Standup")
    sent_at = []
    for week in range(4):
        day = first.date() + timedelta(weeks=week)
        local_reminder = datetime(day.year, day.month, day.day, 8, 50, tzinfo=berlin)
        assert reminders.reminders_send_due(now=local_reminder - MINUTE) == 0
        assert reminders.reminders_send_due(now=local_reminder) == 1
        sent_at.append(local_reminder.astimezone(UTC).hour)
    assert sent_at == [7, 7, 6, 6]
    assert len(mailoutbox) == 4
    assert all(mail.subject == "Reminder: Standup at 9:00 AM" for mail in mailoutbox)


def test_a_cancelled_occurrence_does_not_remind_and_the_next_one_does(owner, mailoutbox):
    standup = _event(owner, recurrence="FREQ=DAILY;COUNT=3", title="Standup")
    occurrence = occurrence_get_for_user(user=owner, event_id=standup.pk, recurrence_id=START)
    series.occurrence_cancel(occurrence=occurrence, context=CONTEXT)
    assert reminders.reminders_send_due(now=START - 10 * MINUTE) == 0
    tomorrow = START + timedelta(days=1)
    assert reminders.reminders_send_due(now=tomorrow - 10 * MINUTE) == 1


def test_a_moved_occurrence_reminds_at_its_new_time(owner, mailoutbox):
    standup = _event(owner, recurrence="FREQ=DAILY;COUNT=3", title="Standup")
    occurrence = occurrence_get_for_user(user=owner, event_id=standup.pk, recurrence_id=START)
    moved = START + timedelta(hours=2)
    series.occurrence_update(occurrence=occurrence, changes={"start": moved}, context=CONTEXT)
    assert reminders.reminders_send_due(now=START - 10 * MINUTE) == 0
    assert reminders.reminders_send_due(now=moved - 10 * MINUTE) == 1
    assert Notice.objects.get().event_key == standup.pk  # keyed by the series


def test_a_cancelled_series_reminds_of_nothing(owner, mailoutbox):
    standup = _event(owner, recurrence="FREQ=DAILY;COUNT=3", title="Standup")
    services.event_cancel(event=standup, context=CONTEXT)
    assert reminders.reminders_send_due(now=START + timedelta(days=1) - 10 * MINUTE) == 0


def test_without_a_confirmed_address_the_failure_is_recorded_not_retried(owner, mailoutbox):
    owner.email_verified = False
    owner.save()
    _event(owner)
    assert reminders.reminders_send_due(now=START - 10 * MINUTE) == 0
    notice = Notice.objects.get()
    assert notice.outcome == "failed" and "confirmed email" in notice.error
    assert reminders.reminders_send_due(now=START - 9 * MINUTE) == 0
    assert mailoutbox == [] and Notice.objects.count() == 1


def test_another_users_reminders_go_to_them(owner, mailoutbox):
    other = UserFactory(username="omar", email="omar@example.com", email_verified=True,
                        time_zone="America/New_York")  # fmt: skip
    _event(owner)
    _event(other, title="Omar's thing")
    assert reminders.reminders_send_due(now=START - 10 * MINUTE) == 2
    by_address = {mail.to[0]: mail.subject for mail in mailoutbox}
    assert by_address == {
        "rita@example.com": "Reminder: Dentist at 11:00 AM",
        "omar@example.com": "Reminder: Omar's thing at 6:00 AM",
    }


def test_no_link_without_a_public_url(owner, mailoutbox, settings):
    settings.DRAKO_PUBLIC_URL = ""
    _event(owner)
    reminders.reminders_send_due(now=START - 10 * MINUTE)
    assert "Talk to DRAKO" not in mailoutbox[0].body


def test_a_series_new_reminder_reaches_its_moved_occurrences(owner, mailoutbox):
    standup = _event(owner, recurrence="FREQ=DAILY;COUNT=3", title="Standup")
    occurrence = occurrence_get_for_user(user=owner, event_id=standup.pk, recurrence_id=START)
    moved = START + timedelta(hours=2)
    series.occurrence_update(occurrence=occurrence, changes={"start": moved}, context=CONTEXT)
    services.event_update(event=standup, changes={"reminders": [30]}, context=CONTEXT)
    assert Event.objects.get(series=standup).reminders == [30]
    assert reminders.reminders_send_due(now=moved - 31 * MINUTE) == 0
    assert reminders.reminders_send_due(now=moved - 30 * MINUTE) == 1
    assert reminders.reminders_send_due(now=moved - 10 * MINUTE) == 0  # no 10-minute one now


def test_an_all_day_event_reminds_of_its_day(owner, mailoutbox):
    berlin = ZoneInfo("Europe/Berlin")
    day = datetime(2030, 3, 13, 0, 0, tzinfo=berlin)
    services.event_create(owner=owner, title="Holiday", start=day, end=day + timedelta(days=1),
                          all_day=True, reminders=[12 * 60], context=CONTEXT)  # fmt: skip
    assert reminders.reminders_send_due(now=day - timedelta(hours=12)) == 1
    (mail,) = mailoutbox
    assert mail.subject == "Reminder: Holiday"
    assert "Holiday is tomorrow, Wednesday, March 13." in mail.body

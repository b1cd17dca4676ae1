"""The pages and recurring events: "Repeats…" on the form, occurrences on the week, month and
agenda, and "this event, this and following, or all?" when one is changed or deleted."""

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from schedules import selectors
from schedules.models import Event
from tests.factories import add_event

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
SCHEDULE = reverse("schedules:schedule")
CREATE = reverse("schedules:event-create")


def form(title="Standup", day="2030-01-07", start="09:00", end="09:15", **extra):
    return {"title": title, "date": day, "start_time": start, "end_date": day, "end_time": end,
            "show_as": "busy", **extra}  # fmt: skip


def week_times(user, monday=date(2030, 1, 14)):
    start = datetime.combine(monday, time(0), tzinfo=BERLIN)
    found = selectors.event_list_for_user(
        user=user, start=start, end=start.replace(day=monday.day + 7)
    )
    return [(o.title, o.start.astimezone(BERLIN).strftime("%a %H:%M")) for o in found]


def edit_links(html: str) -> list[str]:
    return re.findall(r'href="(/schedule/events/\d+/edit/\?occurrence=[^"]+)"', html)


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_form_creates_a_weekly_series_on_the_days_ticked(signed_in, user):
    response = signed_in.post(
        CREATE, form(repeat="weekly", repeat_days=["MO", "WE", "FR"], repeat_end="count",
                     repeat_count="6"),
    )  # fmt: skip
    assert response.status_code == 302
    series = Event.objects.get(owner=user)
    assert series.recurrence == "FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=6"
    assert series.time_zone == "Europe/Berlin"
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert "repeating every Monday, Wednesday and Friday, 6 times" in said[-1]
    assert week_times(user) == [("Standup", "Mon 09:00"), ("Standup", "Wed 09:00"),
                                ("Standup", "Fri 09:00")]  # fmt: skip
    assert week_times(user, date(2030, 1, 21)) == []  # six times: two weeks


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        ({"repeat": "weekdays"}, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
        ({"repeat": "daily", "repeat_end": "until", "repeat_until": "2030-01-20"},
         "FREQ=DAILY;UNTIL=20300120T225959Z"),
        ({"repeat": "monthly_date", "date": "2030-01-31", "end_date": "2030-01-31"},
         "FREQ=MONTHLY;BYMONTHDAY=31"),
        ({"repeat": "monthly_weekday", "date": "2030-01-08", "end_date": "2030-01-08"},
         "FREQ=MONTHLY;BYDAY=2TU"),
        ({"repeat": "custom", "rule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"},
         "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
    ],
)  # fmt: skip
def test_each_kind_of_repeat_becomes_its_rule(signed_in, user, fields, rule):
    assert signed_in.post(CREATE, form(**fields)).status_code == 302
    assert Event.objects.get(owner=user).recurrence == rule


def test_a_bad_custom_rule_is_shown_beside_its_field(signed_in, user):
    response = signed_in.post(CREATE, form(repeat="custom", rule="FREQ=MINUTELY"))
    assert response.status_code == 200
    assert "FREQ is DAILY, WEEKLY, MONTHLY or YEARLY." in response.content.decode()
    assert not Event.objects.filter(owner=user).exists()


def test_the_week_month_and_agenda_show_every_occurrence(signed_in, user):
    series = add_event(user, "Standup", datetime(2030, 1, 7, 9, tzinfo=BERLIN),
                       datetime(2030, 1, 7, 9, 15, tzinfo=BERLIN),
                       recurrence="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")  # fmt: skip
    week = signed_in.get(SCHEDULE, {"view": "week", "date": "2030-01-15"}).content.decode()
    links = edit_links(week)
    # Each occurrence links to itself (grid and agenda), never to the series as a whole.
    assert len(set(links)) == 5
    assert all(link.startswith(f"/schedule/events/{series.pk}/edit/") for link in links)
    month = signed_in.get(SCHEDULE, {"view": "month", "date": "2030-01-15"}).content.decode()
    assert month.count(">Standup<") >= 20


def test_editing_one_occurrence_asks_which_and_changes_only_it(signed_in, user):
    series = add_event(user, "Standup", datetime(2030, 1, 7, 9, tzinfo=BERLIN),
                       datetime(2030, 1, 7, 9, 15, tzinfo=BERLIN),
                       recurrence="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")  # fmt: skip
    thursday = datetime(2030, 1, 17, 8, tzinfo=UTC).isoformat()
    url = reverse("schedules:event-edit", args=[series.pk])
    page = signed_in.get(url, {"occurrence": thursday}).content.decode()
    assert "This event repeats. Change which?" in page
    assert 'value="2030-01-17"' in page  # the occurrence's own day, not the series' first
    assert "Now: every weekday." in page
    fields = form(day="2030-01-17", start="11:00", end="11:15", repeat="weekdays",
                  occurrence=thursday, scope="this")  # fmt: skip
    assert signed_in.post(url, fields).status_code == 302
    assert ("Standup", "Thu 11:00") in week_times(user)
    assert ("Standup", "Fri 09:00") in week_times(user)
    # All: every one moves by as much (the moved Thursday keeps its own time).
    wednesday = datetime(2030, 1, 16, 8, tzinfo=UTC).isoformat()
    fields.update(date="2030-01-16", end_date="2030-01-16", start_time="09:30", end_time="09:45",
                  occurrence=wednesday, scope="all")  # fmt: skip
    response = signed_in.post(url, fields)
    assert response.status_code == 302, re.findall(
        r'class="error"[^>]*>([^<]+)', response.content.decode()
    )
    assert week_times(user) == [
        ("Standup", "Mon 09:30"), ("Standup", "Tue 09:30"), ("Standup", "Wed 09:30"),
        ("Standup", "Thu 11:00"), ("Standup", "Fri 09:30"),
    ]  # fmt: skip


def test_changing_how_it_repeats_for_one_occurrence_is_refused_in_words(signed_in, user):
    series = add_event(user, "Gym", datetime(2030, 1, 7, 18, tzinfo=BERLIN),
                       recurrence="FREQ=WEEKLY;BYDAY=MO")  # fmt: skip
    url = reverse("schedules:event-edit", args=[series.pk])
    monday = datetime(2030, 1, 14, 17, tzinfo=UTC).isoformat()
    fields = form(title="Gym", day="2030-01-14", start="18:00", end="19:00", repeat="daily")
    response = signed_in.post(url, {**fields, "occurrence": monday})
    assert response.status_code == 200
    assert "One occurrence can&#x27;t repeat on its own" in response.content.decode()


def test_deleting_this_and_following_from_the_page(signed_in, user):
    series = add_event(user, "Standup", datetime(2030, 1, 7, 9, tzinfo=BERLIN),
                       datetime(2030, 1, 7, 9, 15, tzinfo=BERLIN),
                       recurrence="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")  # fmt: skip
    url = reverse("schedules:event-cancel", args=[series.pk])
    wednesday = datetime(2030, 1, 16, 8, tzinfo=UTC).isoformat()
    response = signed_in.post(url, {"occurrence": wednesday, "scope": "following"})
    assert response.status_code == 302
    assert [t for _title, t in week_times(user)] == ["Mon 09:00", "Tue 09:00"]
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert "and the ones after it" in said[-1]


def test_another_users_occurrence_is_a_404(client, other_user, user):
    series = add_event(user, "Standup", datetime(2030, 1, 7, 9, tzinfo=BERLIN),
                       recurrence="FREQ=DAILY")  # fmt: skip
    client.force_login(other_user)
    url = reverse("schedules:event-edit", args=[series.pk])
    assert client.get(url, {"occurrence": "2030-01-08T08:00:00+00:00"}).status_code == 404
    cancel = reverse("schedules:event-cancel", args=[series.pk])
    assert client.post(cancel, {"occurrence": "2030-01-08T08:00:00+00:00"}).status_code == 404

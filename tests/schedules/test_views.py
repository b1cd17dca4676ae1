import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from schedules import services
from schedules.grid import schedule_panel_context
from schedules.models import Event, EventChange
from tests.factories import UserFactory
from tests.factories import add_event as add

pytestmark = pytest.mark.django_db

SCHEDULE = reverse("schedules:schedule")
CREATE = reverse("schedules:event-create")
DASH = "\N{EN DASH}"


def at(zone: str, *args, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone), fold=fold)


def block_classes(html: str, event: Event) -> set[str]:
    match = re.search(rf'<a class="event ([^"]*)" href="[^"]*" data-event-id="{event.pk}"', html)
    assert match, f"no block for event {event.pk}"
    return set(match.group(1).split())


def row(hour: int, minute: int, *, first_hour: int) -> str:
    return f"r-{((hour - first_hour) * 60 + minute) // 5 + 1}"


def page(client, **params) -> str:
    response = client.get(SCHEDULE, params)
    assert response.status_code == 200
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def kolkata(client):
    return UserFactory(username="priya", time_zone="Asia/Kolkata")


@pytest.fixture
def angeleno():
    return UserFactory(username="sam", time_zone="America/Los_Angeles")


# --- The week and day pages ----------------------------------------------------------------


def test_week_shows_one_utc_moment_at_each_users_local_time(client, kolkata, angeleno):
    moment = datetime(2026, 3, 4, 16, 0, tzinfo=UTC)
    in_kolkata = add(kolkata, "Standup", moment)
    in_la = add(angeleno, "Standup", moment)

    client.force_login(kolkata)
    html = page(client, date="2026-03-04")
    assert f"9:30 {DASH} 10:30 PM" in html  # 16:00 UTC is 21:30 in Kolkata
    # The working day (9 to 18) is stretched to 23:00 to reach it: rows start at 9:00.
    assert {"r-151", "span-12"} <= block_classes(html, in_kolkata)
    assert ">9 PM<" in html and ">10 PM<" in html and ">11 PM<" not in html

    client.force_login(angeleno)
    html = page(client, date="2026-03-04")
    assert f"8:00 {DASH} 9:00 AM" in html  # and 08:00 in Los Angeles
    assert {"r-1", "span-12"} <= block_classes(html, in_la)
    assert ">8 AM<" in html and ">7 AM<" not in html


def test_week_has_seven_columns_monday_first_and_navigation(client, user):
    client.force_login(user)
    html = page(client, view="week", date="2026-03-04")
    assert html.count('class="day-column') == 7
    assert f"March 2 {DASH} 8, 2026" in html
    heads = re.findall(r'class="day-head[^"]*" href="[^"]*date=(\d{4}-\d\d-\d\d)"', html)
    assert heads == [f"2026-03-0{d}" for d in range(2, 9)]
    assert 'href="/schedule/?view=week&amp;date=2026-02-23" rel="prev"' in html
    assert 'href="/schedule/?view=week&amp;date=2026-03-09" rel="next"' in html
    assert 'href="/schedule/?view=week">Today<' in html
    assert f'href="{CREATE}"' in html
    assert 'id="assistant-panel"' in html


def test_day_view_has_one_column_and_steps_by_a_day(client, user):
    event = add(user, "Dentist", at("Europe/Berlin", 2026, 3, 4, 15, 0))
    client.force_login(user)
    html = page(client, view="day", date="2026-03-04")
    assert html.count('class="day-column') == 1
    assert "Wednesday, March 4, 2026" in html
    assert {"r-73", "span-12"} <= block_classes(html, event)
    assert "date=2026-03-03" in html and "date=2026-03-05" in html
    assert reverse("schedules:event-edit", args=[event.pk]) in html


def test_today_is_highlighted_with_a_now_line(client, user):
    tz = user.tz
    today = timezone.now().astimezone(tz).date()
    # An event across the whole day stretches the grid over every hour, so "now" is on it.
    add(user, "Long day", datetime.combine(today, datetime.min.time(), tzinfo=tz),
        datetime.combine(today, datetime.max.time(), tzinfo=tz).replace(microsecond=0))  # fmt: skip
    client.force_login(user)
    html = page(client)
    assert html.count('class="day-column is-today"') == 1
    assert re.search(rf'day-head is-today" href="[^"]*date={today.isoformat()}"', html)
    assert html.count('class="now-line') == 1


def test_other_weeks_have_no_today_and_no_now_line(client, user):
    client.force_login(user)
    html = page(client, date="2020-01-08")
    assert "is-today" not in html and "now-line" not in html


def test_cancelled_events_are_hidden_and_all_day_events_sit_in_the_strip(client, user):
    kept = add(user, "Review", at("Europe/Berlin", 2026, 3, 4, 10, 0))
    gone = add(user, "Old plan", at("Europe/Berlin", 2026, 3, 4, 12, 0))
    services.event_cancel(event=gone, context=services.ChangeContext(actor=user))
    holiday = add(user, "Holiday", at("Europe/Berlin", 2026, 3, 5, 0, 0), all_day=True)
    client.force_login(user)
    html = page(client, date="2026-03-04")
    assert "Review" in html and "Old plan" not in html
    strip = html.split('class="cal-all-day"')[1].split('class="cal-body"')[0]
    assert "Holiday" in strip
    assert f'data-event-id="{holiday.pk}"' not in html  # not drawn as a timed block
    assert f'data-event-id="{kept.pk}"' in html


def test_an_overlapping_event_cascades_over_the_earlier_one(client, user):
    first = add(user, "One", at("Europe/Berlin", 2026, 3, 4, 10, 0))
    second = add(user, "Two", at("Europe/Berlin", 2026, 3, 4, 10, 30), allow_conflict=True)
    client.force_login(user)
    html = page(client, date="2026-03-04")
    assert "depth-0" in block_classes(html, first)
    assert "depth-1" in block_classes(html, second)
    assert "event-group" not in html


def test_events_that_would_hide_a_title_collapse_into_more(client, user):
    first = add(user, "One", at("Europe/Berlin", 2026, 3, 4, 10, 0))
    second = add(user, "Two", at("Europe/Berlin", 2026, 3, 4, 10, 10), allow_conflict=True)
    client.force_login(user)
    html = page(client, date="2026-03-04")
    group = html.split('<details class="event-group')[1].split("</details>")[0]
    assert "+1 more" in group
    assert group.index(f'data-event-id="{first.pk}"') < group.index(f'data-event-id="{second.pk}"')
    assert '<a class="event r-' not in group  # listed inside the group, not drawn as blocks
    agenda = html.split('class="agenda"')[1]
    assert "One" in agenda and "Two" in agenda


def test_agenda_lists_the_same_events_for_narrow_screens(client, user):
    add(user, "Dentist", at("Europe/Berlin", 2026, 3, 4, 15, 0), location="Main St 4")
    client.force_login(user)
    html = page(client, date="2026-03-04")
    agenda = html.split('class="agenda"')[1]
    assert "Wednesday, March 4" in agenda and "Dentist" in agenda and "Main St 4" in agenda
    assert agenda.count("Nothing scheduled.") == 6


def test_an_event_crossing_midnight_is_drawn_in_both_days(client, user):
    event = add(user, "Night shift", at("Europe/Berlin", 2026, 3, 4, 22, 0),
                at("Europe/Berlin", 2026, 3, 5, 2, 0))  # fmt: skip
    client.force_login(user)
    html = page(client, date="2026-03-04")
    assert html.count(f'data-event-id="{event.pk}"') == 2
    assert f"10:00 PM {DASH} Thu 2:00 AM" in html


@pytest.mark.parametrize(
    ("zone", "day", "tricky_start", "tricky_end"),
    [
        # Spring forward: 02:00-03:00 doesn't exist on Sunday, March 8.
        ("America/New_York", (2026, 3, 8), (1, 0, 0), (4, 0, 0)),
        # Fall back: 02:00-03:00 happens twice on Sunday, October 25.
        ("Europe/Berlin", (2026, 10, 25), (2, 30, 0), (3, 30, 0)),
    ],
)
def test_dst_weeks_render_and_place_nine_oclock_at_nine(
    client, zone, day, tricky_start, tricky_end
):
    owner = UserFactory(time_zone=zone)
    nine = add(owner, "Nine", at(zone, *day, 9, 0))
    h, m, fold = tricky_start
    across = add(owner, "Across the change", at(zone, *day, h, m, fold=fold),
                 at(zone, *day, *tricky_end[:2]))  # fmt: skip
    monday_nine = add(owner, "Monday nine", at(zone, *day, 9, 0) + timedelta(days=1))
    client.force_login(owner)
    html = page(client, date=f"{day[0]}-{day[1]:02d}-{day[2]:02d}")
    first_hour = tricky_start[0]
    assert {row(9, 0, first_hour=first_hour), "span-12"} <= block_classes(html, nine)
    assert row(h, m, first_hour=first_hour) in block_classes(html, across)
    assert f"9:00 {DASH} 10:00 AM" in html
    next_page = page(client, date=(at(zone, *day, 12) + timedelta(days=1)).date().isoformat())
    assert {"r-1", "span-12"} <= block_classes(next_page, monday_nine)


@pytest.mark.parametrize(
    "params",
    [
        {"date": "garbage"},
        {"view": "year"},
        {"date": "0001-01-01"},
        {"date": "9999-12-31"},
        {"date": "2026-02-30"},
        {"view": "", "date": ""},
    ],
)
def test_bad_query_params_fall_back_to_this_week(client, user, params):
    client.force_login(user)
    html = page(client, **params)
    assert html.count('class="day-column') == 7
    assert html.count('class="day-column is-today"') == 1


def test_week_page_queries_do_not_grow_with_events(client, user):
    client.force_login(user)
    monday = at("Europe/Berlin", 2026, 3, 2, 8, 0)
    add(user, "Only one", monday)
    with CaptureQueriesContext(connection) as one:
        page(client, date="2026-03-04")
    for n in range(499):
        add(user, f"Event {n}", monday + timedelta(minutes=15 * n), allow_conflict=True)
    with CaptureQueriesContext(connection) as many:
        html = page(client, date="2026-03-04")
    assert html.count('data-event-id="') >= 500
    assert len(many) == len(one)


def test_schedule_panel_renders_on_its_own_as_a_partial(rf, user):
    request = rf.get(SCHEDULE)
    request.user = user
    context = schedule_panel_context(
        user=user, view="day", anchor=datetime(2026, 3, 4).date(), now=timezone.now()
    )
    add(user, "Later", at("Europe/Berlin", 2026, 3, 4, 9))
    html = render_to_string("schedules/schedule.html#schedule-panel", context, request=request)
    assert html.lstrip().startswith('<section id="schedule-panel"')
    assert "<html" not in html


# --- Create, edit, cancel, undo --------------------------------------------------------------


def form_data(**overrides) -> dict:
    data = {
        "title": "Dentist",
        "date": "2030-03-07",
        "start_time": "15:00",
        "end_date": "2030-03-07",
        "end_time": "16:00",
        "location": "",
        "show_as": "busy",
        "notes": "",
    }
    return {**data, **overrides}


def test_new_event_form_is_prefilled_from_start(client, user):
    client.force_login(user)
    html = client.get(CREATE, {"start": "2030-03-07T15:00"}).content.decode()
    assert 'value="2030-03-07"' in html and 'value="15:00"' in html and 'value="16:00"' in html
    assert "allow_conflict" not in html  # "book anyway" only appears after a conflict


@pytest.mark.parametrize("start", ["nonsense", "0001-01-01T00:00+14:00", ""])
def test_new_event_form_ignores_a_bad_start(client, user, start):
    client.force_login(user)
    assert client.get(CREATE, {"start": start}).status_code == 200


def test_create_saves_in_the_users_zone_and_says_when(client, user):
    client.force_login(user)
    response = client.post(CREATE, form_data(location="Main St 4"))
    assert response.status_code == 302
    assert response["Location"] == f"{SCHEDULE}?view=week&date=2030-03-07"
    event = Event.objects.get(owner=user)
    assert event.start == datetime(2030, 3, 7, 14, 0, tzinfo=UTC)  # 15:00 in Berlin
    assert event.source == Event.Source.WEB and event.location == "Main St 4"
    assert messages_of(response) == ["Added 'Dentist' on Thursday, March 7, 2030 at 3:00 PM."]


def test_create_all_day_event(client, user):
    client.force_login(user)
    client.post(CREATE, form_data(all_day="on", start_time="", end_time="", end_date="2030-03-08"))
    event = Event.objects.get(owner=user)
    assert event.all_day
    assert event.start == at("Europe/Berlin", 2030, 3, 7, 0, 0)
    assert event.end == at("Europe/Berlin", 2030, 3, 9, 0, 0)


@pytest.mark.parametrize(
    ("overrides", "field_error"),
    [
        ({"title": ""}, "This field is required."),
        ({"end_time": "14:00"}, "The end must be after the start."),
        ({"start_time": ""}, "Add a time, or tick “All day”."),
        ({"end_date": "2030-04-01"}, "An event can last at most 14 days."),
        ({"date": "not-a-date"}, "Enter a valid date."),
    ],
)
def test_create_refuses_bad_input_with_a_message(client, user, overrides, field_error):
    client.force_login(user)
    response = client.post(CREATE, form_data(**overrides))
    assert response.status_code == 200
    assert field_error in response.content.decode()
    assert not Event.objects.exists()


def test_a_time_skipped_by_dst_is_a_form_error():
    owner = UserFactory(time_zone="America/New_York")
    from django.test import Client

    client = Client()
    client.force_login(owner)
    data = form_data(date="2026-03-08", start_time="02:30", end_date="2026-03-08", end_time="04:00")
    response = client.post(CREATE, data)
    assert response.status_code == 200
    assert "2:30 AM doesn&#x27;t exist on Sunday, March 8" in response.content.decode()
    assert not Event.objects.exists()


def test_a_time_that_happens_twice_uses_the_first_and_says_so(client):
    owner = UserFactory(time_zone="America/New_York")
    client.force_login(owner)
    data = form_data(date="2026-11-01", start_time="01:30", end_date="2026-11-01", end_time="03:00")
    response = client.post(CREATE, data)
    assert response.status_code == 302
    event = Event.objects.get(owner=owner)
    assert event.start == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT
    assert any("happens twice" in m and "EDT" in m for m in messages_of(response))


def test_conflict_rerenders_with_the_clash_alternatives_and_book_anyway(client, user):
    add(user, "Team sync", at("Europe/Berlin", 2030, 3, 7, 15, 0))
    client.force_login(user)
    response = client.post(CREATE, form_data(title="Dentist", start_time="15:30", end_time="16:30"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "That time overlaps &#x27;Team sync&#x27;." in html
    assert f"3:00 {DASH} 4:00 PM" in html
    assert 'name="allow_conflict"' in html
    alternatives = re.findall(r'name="use_time" value="([^"]+)"', html)
    assert 1 <= len(alternatives) <= 3
    assert Event.objects.filter(owner=user).count() == 1

    # Picking a suggestion fills the form with that time, without saving yet.
    picked = client.post(CREATE, form_data(title="Dentist", use_time=alternatives[0]))
    start = datetime.fromisoformat(alternatives[0].split("|")[0]).astimezone(user.tz)
    picked_html = picked.content.decode()
    assert f'value="{start:%H:%M}"' in picked_html and 'value="Dentist"' in picked_html
    assert "Check the details and save." in picked_html
    assert Event.objects.filter(owner=user).count() == 1

    booked = client.post(
        CREATE,
        form_data(title="Dentist", start_time="15:30", end_time="16:30", allow_conflict="on"),
    )
    assert booked.status_code == 302
    assert Event.objects.filter(owner=user, title="Dentist").exists()


def test_a_forged_suggestion_is_a_400(client, user):
    client.force_login(user)
    assert client.post(CREATE, form_data(use_time="yesterday|never")).status_code == 400
    assert client.post(CREATE, form_data(use_time="2030-03-07T10:00")).status_code == 400


def test_edit_moves_the_event_and_says_where(client, user):
    event = add(user, "Dentist", at("Europe/Berlin", 2030, 3, 7, 15, 0))
    client.force_login(user)
    url = reverse("schedules:event-edit", args=[event.pk])
    html = client.get(url).content.decode()
    assert 'value="Dentist"' in html and 'value="15:00"' in html
    response = client.post(url, form_data(date="2030-03-08", end_date="2030-03-08"))
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.start == datetime(2030, 3, 8, 14, 0, tzinfo=UTC)
    assert messages_of(response) == ["Moved 'Dentist' to Friday, March 8, 2030 at 3:00 PM."]
    assert EventChange.objects.filter(event=event, action="move").exists()


def test_edit_with_a_conflict_offers_book_anyway(client, user):
    add(user, "Team sync", at("Europe/Berlin", 2030, 3, 8, 15, 0))
    event = add(user, "Dentist", at("Europe/Berlin", 2030, 3, 7, 15, 0))
    client.force_login(user)
    url = reverse("schedules:event-edit", args=[event.pk])
    moved = form_data(date="2030-03-08", end_date="2030-03-08")
    response = client.post(url, moved)
    assert 'name="allow_conflict"' in response.content.decode()
    event.refresh_from_db()
    assert event.start.day == 7
    assert client.post(url, {**moved, "allow_conflict": "on"}).status_code == 302
    event.refresh_from_db()
    assert event.start.day == 8


def test_cancel_hides_the_event_and_undo_brings_it_back(client, user):
    event = add(user, "Dentist", at("Europe/Berlin", 2030, 3, 7, 15, 0))
    client.force_login(user)
    assert client.get(reverse("schedules:event-cancel", args=[event.pk])).status_code == 405
    response = client.post(reverse("schedules:event-cancel", args=[event.pk]))
    assert response.status_code == 302
    assert messages_of(response) == ["Deleted 'Dentist' on Thursday, March 7, 2030 at 3:00 PM."]
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    week = page(client, date="2030-03-07")
    assert f'data-event-id="{event.pk}"' not in week

    # The edit page and the schedule both offer to undo the cancellation.
    cancel = EventChange.objects.get(event=event, action="cancel")
    undo_url = reverse("schedules:change-undo", args=[cancel.pk])
    assert undo_url in week
    edit_page = client.get(reverse("schedules:event-edit", args=[event.pk])).content.decode()
    assert undo_url in edit_page and "is deleted" in edit_page

    response = client.post(undo_url, {"next": f"{SCHEDULE}?date=2030-03-07"})
    assert response["Location"] == f"{SCHEDULE}?date=2030-03-07"
    event.refresh_from_db()
    assert event.status == Event.Status.CONFIRMED
    again = client.post(undo_url)
    assert "already been undone" in " ".join(messages_of(again))


def test_undo_of_a_create_goes_back_to_the_schedule(client, user):
    event = add(user, "Oops", at("Europe/Berlin", 2030, 3, 7, 15, 0))
    create = EventChange.objects.get(event=event, action="create")
    client.force_login(user)
    edit_url = reverse("schedules:event-edit", args=[event.pk])
    response = client.post(reverse("schedules:change-undo", args=[create.pk]), {"next": edit_url})
    assert response["Location"] == SCHEDULE
    assert not Event.objects.filter(pk=event.pk).exists()


def test_undo_ignores_an_offsite_next(client, user):
    event = add(user, "Dentist", at("Europe/Berlin", 2030, 3, 7, 15, 0))
    change = EventChange.objects.get(event=event)
    client.force_login(user)
    url = reverse("schedules:change-undo", args=[change.pk])
    assert client.post(url, {"next": "https://evil.example/"})["Location"] == SCHEDULE


def test_edit_page_lists_changes_and_only_the_latest_can_be_undone(client, user):
    event = add(user, "Dentist", at("Europe/Berlin", 2030, 3, 7, 15, 0))
    services.event_update(
        event=event,
        changes={"start": event.start + timedelta(hours=1), "end": event.end + timedelta(hours=1)},
        context=services.ChangeContext(actor=user, source=Event.Source.ASSISTANT,
                                       utterance="push the dentist an hour"),
    )  # fmt: skip
    client.force_login(user)
    html = client.get(reverse("schedules:event-edit", args=[event.pk])).content.decode()
    move, create = EventChange.objects.filter(event=event).order_by("-id")
    assert reverse("schedules:change-undo", args=[move.pk]) in html
    assert reverse("schedules:change-undo", args=[create.pk]) not in html
    assert "push the dentist an hour" in html and "by DRAKO" in html


# --- Isolation -----------------------------------------------------------------------------


@pytest.fixture
def someone_elses(other_user):
    event = add(other_user, "Private", at("America/New_York", 2026, 3, 5, 9, 0))
    return event, EventChange.objects.get(event=event)


def test_other_users_events_and_changes_are_404(client, user, someone_elses):
    event, change = someone_elses
    client.force_login(user)
    edit = reverse("schedules:event-edit", args=[event.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, form_data()).status_code == 404
    assert client.post(reverse("schedules:event-cancel", args=[event.pk])).status_code == 404
    assert client.post(reverse("schedules:change-undo", args=[change.pk])).status_code == 404
    event.refresh_from_db()
    assert event.status == Event.Status.CONFIRMED and event.title == "Private"
    assert "Private" not in page(client, date="2026-03-05")


def test_anonymous_visitors_are_sent_to_sign_in(client, someone_elses):
    event, change = someone_elses
    urls = [
        ("get", SCHEDULE),
        ("get", CREATE),
        ("post", CREATE),
        ("get", reverse("schedules:event-edit", args=[event.pk])),
        ("post", reverse("schedules:event-cancel", args=[event.pk])),
        ("post", reverse("schedules:change-undo", args=[change.pk])),
    ]
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
    event.refresh_from_db()
    assert event.status == Event.Status.CONFIRMED


def test_the_grid_placement_css_is_what_its_generator_writes():
    from pathlib import Path

    from schedules.grid import placement_css

    written = Path(__file__).resolve().parents[2] / "static" / "css" / "grid-placement.css"
    assert written.read_text() == placement_css(), "run: manage.py grid_css > " + str(written)
    assert ".r-288{grid-row-start:288}" in written.read_text()

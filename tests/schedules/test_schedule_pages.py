"""Issue 16's pages without a browser: the cascade, the month view, search, the first run, the
reader's clock, and queries that stay constant however many events there are."""

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from schedules import services
from schedules.clock import Clock, hour12_for_languages
from schedules.grid import GROUP_ROWS, MAX_DEPTH, TITLE_ROWS, Block, cascade
from schedules.models import Event
from tests.factories import EventFactory
from tests.factories import add_event as add

pytestmark = pytest.mark.django_db

SCHEDULE = reverse("schedules:schedule")
SEARCH = reverse("schedules:event-search")
BERLIN = ZoneInfo("Europe/Berlin")
DASH = "\N{EN DASH}"


def at(day: date, hour: int, minute: int = 0, zone=BERLIN) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def get(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


# --- The cascade, on its own ----------------------------------------------------------------


def blocks(*spans: tuple[int, int]) -> list[Block]:
    """Blocks at (row, rows), each for its own event (pk = its index)."""
    made = []
    for pk, (row, span) in enumerate(spans):
        made.append(Block(Event(pk=pk, title=f"E{pk}"), 0, 0, "", row=row, span=span))
    return made


def test_cascade_indents_a_later_overlap_and_keeps_separate_ones_at_depth_zero():
    first, later, apart = blocks((1, 24), (1 + TITLE_ROWS, 12), (40, 6))
    shown = cascade([first, later, apart], rows=200)
    assert shown == [first, later, apart]
    assert (first.depth, later.depth, apart.depth) == (0, 1, 0)


def test_cascade_collapses_an_event_that_would_cover_a_title():
    first, crowding = blocks((10, 12), (10 + TITLE_ROWS - 1, 12))
    shown = cascade([crowding, first], rows=200)
    assert shown == [first]
    assert first.hidden == [crowding] and first.group == [first, crowding]
    # The group grows to cover its members and to show two lines ("+N more").
    assert first.row + first.span == max(10 + TITLE_ROWS - 1 + 12, 10 + GROUP_ROWS)


def test_cascade_never_goes_deeper_than_max_depth():
    stairs = blocks(*[(1 + i * TITLE_ROWS, 60) for i in range(MAX_DEPTH + 2)])
    shown = cascade(list(stairs), rows=200)
    assert [b.depth for b in shown] == list(range(MAX_DEPTH))
    assert sorted(b.event.pk for b in shown[-1].hidden) == [MAX_DEPTH, MAX_DEPTH + 1]


def test_a_group_extends_no_further_than_the_grid():
    first, crowding = blocks((95, 3), (96, 3))
    cascade([first, crowding], rows=100)
    assert first.row + first.span == 101


@given(
    st.lists(
        st.tuples(st.integers(1, 150), st.integers(3, 40)), min_size=1, max_size=25, unique=True
    )
)
def test_cascade_draws_every_event_once_and_no_visible_title_is_covered(spans):
    made = blocks(*spans)
    shown = cascade(list(made), rows=200)
    drawn = [member.event.pk for block in shown for member in block.group]
    assert sorted(drawn) == sorted(b.event.pk for b in made)
    for block in shown:
        assert 0 <= block.depth < MAX_DEPTH
        assert block.row + block.span <= 201
    for i, earlier in enumerate(shown):
        for later in shown[i + 1 :]:
            # Drawn in start order, a later block lies over an earlier one it overlaps: indented
            # further, and below the earlier one's title (two lines for a group).
            assert later.row >= earlier.row
            if later.row < earlier.row + earlier.span:
                assert later.depth > earlier.depth
                assert later.row - earlier.row >= earlier.header_rows


# --- Week view details -----------------------------------------------------------------------


def test_a_short_event_carries_its_time_for_hover_and_screen_readers(client, user):
    coffee = add(user, "Coffee", at(date(2026, 3, 4), 14), at(date(2026, 3, 4), 14, 15))
    client.force_login(user)
    html = get(client, SCHEDULE, date="2026-03-04")
    block = re.search(
        rf'<a class="event ([^"]*)"[^>]*data-event-id="{coffee.pk}"[^>]*>(.*?)</a>', html, re.S
    )
    assert "is-short" in block[1].split()
    assert f'<span class="event-time">2:00 {DASH} 2:15 PM</span>' in block[2]


def test_search_result_highlights_its_event_in_the_week(client, user):
    dentist = add(user, "Dentist", at(date(2026, 3, 4), 15))
    client.force_login(user)
    html = get(client, SCHEDULE, date="2026-03-04", event=str(dentist.pk))
    assert re.search(
        rf'is-highlighted" href="[^"]*" data-event-id="{dentist.pk}" aria-current="true"', html
    )
    for garbage in ("x", "-1", "1" * 40, "٣"):
        assert "is-highlighted" not in get(client, SCHEDULE, date="2026-03-04", event=garbage)


def test_the_phone_day_strip_links_each_day_and_marks_the_chosen_one(client, user):
    add(user, "Dentist", at(date(2026, 3, 5), 15))
    client.force_login(user)
    html = get(client, SCHEDULE, view="week", date="2026-03-05")
    strip = html.split('class="day-strip"')[1].split("</nav>")[0]
    links = re.findall(r'href="[^"]*date=(\d{4}-\d\d-\d\d)"( aria-current="page")?', strip)
    assert [day for day, _ in links] == [f"2026-03-0{d}" for d in range(2, 9)]
    assert [day for day, current in links if current] == ["2026-03-05"]
    assert "1 event" in strip and strip.count("nothing scheduled") == 6
    assert 'class="agenda-day is-selected"' in html


def test_each_empty_hour_links_to_a_new_event_then_and_escapes_what_it_prints(client, user):
    user.working_day_start, user.working_day_end = time(9), time(11)
    user.save()
    add(user, "Dentist <b>", at(date(2026, 3, 4), 15))
    client.force_login(user)
    html = get(client, SCHEDULE, view="week", date="2026-03-04")
    column = html.split('aria-label="Wednesday, March 4">')[1].split("</div>")[0]
    slot = (
        r'<a class="hour-slot r-(\d+) span-12" href="([^"]+)" tabindex="-1"'
        r' aria-label="New event on Wednesday, March 4 at ([^"]+)"></a>'
    )
    slots = re.findall(slot, column)
    create = reverse("schedules:event-create")
    assert [(url, label) for _, url, label in slots] == [
        (f"{create}?start=2026-03-04T{h:02d}:00", f"{h % 12 or 12} {'AM' if h < 12 else 'PM'}")
        for h in range(9, 16)
    ]
    assert [int(row) for row, _, _ in slots] == [1 + 12 * i for i in range(7)]
    assert "Dentist &lt;b&gt;" in html and "Dentist <b>" not in html


def test_the_week_template_prints_prepared_links_and_dates_not_per_cell_tags():
    """Issue 19: ~200 `{% url %}` and `|date` per week page were most of its time; the grid
    (schedules/grid.py) writes them once per page, and the week's partials only print them."""
    source = (settings.BASE_DIR / "templates/schedules/schedule.html").read_text()
    week = source[source.index("{% partialdef week %}") :]
    for per_cell in ("{% url", "|date", "|edit_url"):
        assert per_cell not in week


# --- Month view ------------------------------------------------------------------------------


def month_cell(html: str, day: str) -> str:
    """The HTML of the month grid's cell for `day` (YYYY-MM-DD)."""
    start = html.index(f'class="month-date" href="/schedule/?view=day&amp;date={day}"')
    return html[html.rindex("<td", 0, start) : html.index("</td>", start)]


def test_month_view_covers_whole_weeks_and_places_each_event_on_its_days(client, user):
    add(user, "Dentist", at(date(2026, 3, 4), 15))
    add(user, "Retreat", at(date(2026, 3, 30), 0), at(date(2026, 4, 2), 0), all_day=True)
    client.force_login(user)
    html = get(client, SCHEDULE, view="month", date="2026-03-18")
    assert "<h1" in html and ">March 2026<" in html
    days = re.findall(r'class="month-date" href="[^"]*date=(\d{4}-\d\d-\d\d)"', html)
    assert days[0] == "2026-02-23" and days[-1] == "2026-04-05" and len(days) == 42
    assert html.count('class="month-day is-outside') == 42 - 31
    assert '3:00 PM</span> <span class="month-title">Dentist' in month_cell(html, "2026-03-04")
    for day in ("2026-03-30", "2026-03-31", "2026-04-01"):
        assert "Retreat" in month_cell(html, day)
    assert "Retreat" not in month_cell(html, "2026-04-02")
    assert 'href="/schedule/?view=month&amp;date=2026-02-01" rel="prev"' in html
    assert 'href="/schedule/?view=month&amp;date=2026-04-01" rel="next"' in html


def test_a_busy_month_day_shows_two_and_links_the_rest(client, user):
    for hour in range(9, 14):
        add(user, f"Meeting {hour}", at(date(2026, 3, 10), hour), allow_conflict=True)
    client.force_login(user)
    cell = month_cell(get(client, SCHEDULE, view="month", date="2026-03-10"), "2026-03-10")
    assert cell.count('<a class="month-event') == 2
    assert '?view=day&amp;date=2026-03-10">+3 more' in cell
    assert "5 events" in cell


def test_month_view_at_the_ends_of_the_calendar_does_not_break(client, user):
    client.force_login(user)
    first = get(client, SCHEDULE, view="month", date="1900-01-08")
    assert "January 1900" in first and 'rel="prev"' not in first
    last = get(client, SCHEDULE, view="month", date="2999-12-24")
    assert "December 2999" in last and 'rel="next"' not in last


def test_month_view_queries_do_not_grow_with_events(client, user):
    client.force_login(user)
    add(user, "Only one", at(date(2026, 3, 2), 8))
    with CaptureQueriesContext(connection) as one:
        get(client, SCHEDULE, view="month", date="2026-03-04")
    first = at(date(2026, 3, 1), 0).astimezone(UTC)
    Event.objects.bulk_create(
        EventFactory.build(
            owner=user, start=first + timedelta(hours=3 * n), end=first + timedelta(hours=3 * n + 1)
        )
        for n in range(300)
    )
    with CaptureQueriesContext(connection) as many:
        html = get(client, SCHEDULE, view="month", date="2026-03-04")
    assert html.count('<a class="month-event') >= 60
    assert len(many) == len(one)


def test_another_users_events_never_reach_the_month_or_week(client, user, other_user):
    add(other_user, "Their secret", at(date(2026, 3, 4), 10, zone=other_user.tz))
    client.force_login(user)
    for view in ("month", "week", "day"):
        assert "Their secret" not in get(client, SCHEDULE, view=view, date="2026-03-04")


# --- Search ----------------------------------------------------------------------------------


@pytest.fixture
def findable(user, other_user):
    future, past = date(2030, 3, 6), date(2020, 3, 6)
    return {
        "title": add(user, "Dentist check-up", at(future, 15)),
        "place": add(user, "Cleaning", at(future, 9), location="Dental practice Müller"),
        "notes": add(user, "Errands", at(past, 9), notes="Pick up the DENTAL floss"),
        "cancelled": services.event_cancel(
            event=add(user, "Dental old", at(future, 11)),
            context=services.ChangeContext(actor=user),
        )[0],
        "other": add(other_user, "Dental secret", at(future, 12, zone=other_user.tz)),
    }


def result_ids(html: str) -> list[int]:
    return [
        int(pk)
        for pk in re.findall(r'<li class="result">\s*<a href="[^"]*" data-event-id="(\d+)"', html)
    ]


def test_search_matches_title_place_and_notes_of_ones_own_events(client, user, findable):
    client.force_login(user)
    html = get(client, SEARCH, q="dent")
    # Upcoming first, soonest first; then the past; never cancelled or someone else's.
    assert result_ids(html) == [findable[k].pk for k in ("place", "title", "notes")]
    assert "Dental secret" not in html and "Dental old" not in html
    assert "Pick up the DENTAL floss" in html  # the notes say why it matched
    week = f"/schedule/?view=week&amp;date=2030-03-06&amp;event={findable['title'].pk}"
    assert f'href="{week}"' in html


def test_search_says_when_nothing_matches_and_shows_only_a_form_without_a_query(client, user):
    client.force_login(user)
    assert "Nothing matches “zebra”" in get(client, SEARCH, q="zebra")
    blank = get(client, SEARCH, q="   ")
    assert 'class="result"' not in blank and "Searches the titles" in blank


@pytest.mark.parametrize("query", ["x" * 101, "nul\x00byte", "bell\x07"])
def test_search_refuses_what_isnt_a_search_with_a_400(client, user, findable, query):
    client.force_login(user)
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_search_cannot_be_reached_by_anyone_else(client, findable, other_user):
    response = client.get(SEARCH, {"q": "dent"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(other_user)
    html = get(client, SEARCH, q="dent")
    assert result_ids(html) == [findable["other"].pk]


def test_search_queries_do_not_grow_with_matches(client, user):
    client.force_login(user)
    add(user, "Match one", at(date(2030, 3, 6), 9))
    with CaptureQueriesContext(connection) as one:
        get(client, SEARCH, q="match")
    first = at(date(2030, 3, 1), 0).astimezone(UTC)
    Event.objects.bulk_create(
        EventFactory.build(owner=user, title=f"Match {n}", start=first + timedelta(hours=n),
                           end=first + timedelta(hours=n, minutes=30))
        for n in range(200)
    )  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        html = get(client, SEARCH, q="match")
    assert len(result_ids(html)) == 50 and "Showing the first 50" in html
    assert len(many) == len(one)


# --- The first five minutes -------------------------------------------------------------------


def test_a_new_user_sees_what_to_do_until_they_have_an_event(client, user):
    client.force_login(user)
    html = get(client, SCHEDULE)
    assert "Your schedule is empty" in html
    assert html.count("<li>“") == 3
    assert f'href="{reverse("schedules:event-create")}">Create your first event' in html
    assert 'href="#assistant-panel">Talk to DRAKO' in html
    assert "See an example conversation" in html  # Tavus isn't configured in tests
    event = add(user, "First", at(date(2026, 3, 4), 9))
    assert "Your schedule is empty" not in get(client, SCHEDULE)
    services.event_cancel(event=event, context=services.ChangeContext(actor=user))
    assert "Your schedule is empty" not in get(client, SCHEDULE)  # not new any more


def test_the_example_conversation_is_labelled_and_writes_nothing(client, user):
    for signed_in in (False, True):
        if signed_in:
            client.force_login(user)
        html = get(client, reverse("example-conversation"))
        assert "This is a made-up conversation" in html and ">Example<" in html
    assert not Event.objects.exists()


# --- The reader's clock -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("languages", "hour12"),
    [
        ("en-US,en;q=0.9", True),
        ("en-GB,en;q=0.8", False),
        ("de-DE", False),
        ("fr;q=0.3, en-US;q=0.9", True),
        ("xx-unknown, de", False),
        ("", True),
        ("*", True),
        (";;;,,q=", True),
        ("en-" + "x" * 2000, True),
    ],
)
def test_the_clock_follows_the_browsers_first_known_locale(languages, hour12):
    assert hour12_for_languages(languages) is hour12


def test_pages_write_times_the_way_the_readers_locale_does(client, user):
    add(user, "Standup", at(date(2026, 3, 4), 9), at(date(2026, 3, 4), 9, 30))
    client.force_login(user)
    american = get(client, SCHEDULE, date="2026-03-04")
    assert f"9:00 {DASH} 9:30 AM" in american and ">9 AM<" in american
    british = client.get(SCHEDULE, {"date": "2026-03-04"}, HTTP_ACCEPT_LANGUAGE="en-GB")
    html = british.content.decode()
    assert f"09:00 {DASH} 09:30" in html and ">09:00<" in html and " AM" not in html
    month = client.get(SCHEDULE, {"view": "month", "date": "2026-03-04"}, HTTP_ACCEPT_LANGUAGE="de")
    assert '<span class="month-time">09:00</span>' in month.content.decode()


def test_clock_ranges_across_noon_midnight_and_days():
    twelve, twenty_four = Clock(hour12=True), Clock(hour12=False)
    day = date(2026, 3, 4)
    assert twelve.range(at(day, 11), at(day, 13), BERLIN) == f"11:00 AM {DASH} 1:00 PM"
    assert twelve.range(at(day, 0), at(day, 0, 30), BERLIN) == f"12:00 {DASH} 12:30 AM"
    assert twenty_four.range(at(day, 22), at(day + timedelta(days=1), 2), BERLIN) == (
        f"22:00 {DASH} Thu 02:00"
    )
    assert (
        twelve.hour(0) == "12 AM" and twelve.hour(12) == "12 PM" and twenty_four.hour(7) == "07:00"
    )
    now = at(date(2026, 3, 4), 8)
    assert twelve.when(at(day, 15), BERLIN, now=now) == "today, Wednesday, March 4 at 3:00 PM"
    assert twenty_four.when(at(date(2027, 1, 2), 8), BERLIN, now=now) == (
        "Saturday, January 2, 2027 at 08:00"
    )

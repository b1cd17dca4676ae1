"""The week and day grids: where each event sits, in the user's own wall-clock time.

The grid is fed occurrences, (event, start, end), rather than Event rows, so a recurring event's
occurrences can be drawn like single events.

Every link and date the page prints is written here, once per page (`_label`, `_prepare`): a week
has about 200 of them, and as `{% url %}` and `|date` in the template they were three quarters of
the page's time (issue 19). The template only prints what it is given.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils.dates import MONTHS, WEEKDAYS, WEEKDAYS_ABBR
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from schedules import selectors
from schedules.clock import Clock
from schedules.models import FIRST_DAY, LAST_DAY, Event
from schedules.speech import DASH

ROW_MINUTES = 5
MIN_ROWS = 3  # a 5-minute event is still drawn 15 minutes tall, so its title fits
SHORT_ROWS = 6  # up to 30 minutes: one line, the time shown on hover and focus
TITLE_ROWS = 4  # a block's title line is about 20 px tall; a later block may cover the rest
GROUP_ROWS = 8  # a collapsed group shows two lines: its first title and "+N more"
MAX_DEPTH = 3  # cascaded blocks are indented 0, 1 or 2 steps (--indent): each stays >= 60 % wide
ONE_DAY = timedelta(days=1)
_ID_MARK = 987654321  # stands in for an event's id in a reversed URL (edit_path)


class Occurrence(NamedTuple):
    """One time an event happens: a single event once, a recurring one once per repeat."""

    event: Event
    start: datetime
    end: datetime


def occurrences_of(events) -> list[Occurrence]:
    return [Occurrence(event, event.start, event.end) for event in events]


# --- The grid ------------------------------------------------------------------------------


@dataclass
class Block:
    """One timed occurrence's piece within one day column, placed on 5-minute grid rows."""

    event: Event
    start: int  # minutes after local midnight, by the wall clock
    end: int
    label: str
    past: bool = False
    row: int = 1
    span: int = MIN_ROWS
    depth: int = 0
    hidden: list["Block"] = field(default_factory=list)  # collapsed into this one's "+N more"
    # What the page prints, written once per page by _prepare:
    url: str = ""  # the event's edit page
    classes: str = ""  # the drawn block's: placement, then is-short, is-free, is-past, ...
    highlighted: bool = False  # the event the page was asked to point out (?event=<id>)

    @property
    def css(self) -> str:
        return f"r-{self.row} span-{self.span} depth-{self.depth}"

    @property
    def title(self) -> str:
        return self.event.title

    @property
    def location(self) -> str:
        return self.event.location

    @property
    def event_id(self) -> str:
        return str(self.event.pk)

    @property
    def short(self) -> bool:
        return self.span <= SHORT_ROWS

    @property
    def header_rows(self) -> int:
        return GROUP_ROWS if self.hidden else TITLE_ROWS

    @property
    def group(self) -> list["Block"]:
        """This block and the ones collapsed into it, by start time."""
        return sorted([self, *self.hidden], key=lambda b: (b.start, b.event.pk))


@dataclass
class AllDay:
    """An all-day occurrence in one day's column."""

    event: Event
    url: str = ""  # set by _prepare
    highlighted: bool = False


# An empty hour in a day's column: a link to the form for a new event starting then. A week has
# about 90; as a template loop they cost more than all the events on the page, so _prepare writes
# them here, each piece escaped as the template would have.
HOUR_SLOT_HTML = (
    '<a class="hour-slot r-{} span-12" href="{}" tabindex="-1" aria-label="New event on {} at {}">'
    "</a>"
)


@dataclass
class DayColumn:
    day: date
    is_today: bool
    all_day: list[AllDay] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)  # every timed piece, for the agenda
    shown: list[Block] = field(default_factory=list)  # what the grid draws, after the cascade
    now_row: int | None = None
    # The day as the page writes it, in the active language (see _label).
    iso: str = ""  # 2026-03-07
    compact: str = ""  # 20260307, for element ids
    name: str = ""  # Sat
    number: str = ""  # 7
    month: str = ""  # March
    heading: str = ""  # Saturday, March 7
    day_url: str = ""  # this day in the day view
    add_url: str = ""  # a new event on this day at 9:00
    hour_slots: str = ""  # HOUR_SLOT_HTML for each hour shown, marked safe


def midnight(day: date, tz: ZoneInfo) -> datetime:
    # Through UTC and back, so a zone whose DST starts at midnight gets its real first instant.
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC).astimezone(tz)


def _wall_minutes(moment: datetime, day: date, tz: ZoneInfo) -> int:
    local = moment.astimezone(tz)
    if local.date() != day:
        return 0 if local.date() < day else 24 * 60
    return local.hour * 60 + local.minute


def _column(day: date, occurrences: list[Occurrence], tz, now: datetime, clock) -> DayColumn:
    lower, upper = midnight(day, tz), midnight(day + ONE_DAY, tz)
    column = DayColumn(day=day, is_today=day == now.astimezone(tz).date())
    for event, start, end in occurrences:
        if start >= upper or end <= lower:
            continue
        if event.all_day:
            column.all_day.append(AllDay(event))
            continue
        first = _wall_minutes(max(start, lower), day, tz)
        # On a fall-back night the end's wall time can precede the start's; MIN_ROWS covers it.
        last = _wall_minutes(min(end, upper), day, tz) if end < upper else 24 * 60
        label = clock.range(start, end, tz)
        column.blocks.append(Block(event, first, last, label, past=end <= now))
    return column


def _visible_minutes(user, columns: list[DayColumn]) -> tuple[int, int]:
    """The working day, stretched to whole hours that cover every event on screen."""
    first = user.working_day_start.hour * 60
    day_end = user.working_day_end
    last = (day_end.hour + (1 if day_end.minute else 0)) * 60
    for block in (b for column in columns for b in column.blocks):
        first = min(first, block.start // 60 * 60)
        last = max(last, -(-max(block.end, block.start + MIN_ROWS * ROW_MINUTES) // 60) * 60)
    return first, min(last, 24 * 60)


def _collapse(host: Block, block: Block, rows: int) -> None:
    host.hidden.append(block)
    end_row = max(host.row + host.span, block.row + block.span, host.row + GROUP_ROWS)
    host.span = min(end_row, rows + 1) - host.row


def cascade(blocks: list[Block], rows: int) -> list[Block]:
    """Overlaps as Google draws them: a later block is indented over the earlier ones (stacked by
    start time), never narrower than 60 %; one that would hide another's title, or go deeper than
    MAX_DEPTH, collapses into that block's "+N more"."""
    shown: list[Block] = []
    for block in sorted(blocks, key=lambda b: (b.row, -b.span, b.event.pk)):
        running = [s for s in shown if s.row + s.span > block.row]
        host = next((s for s in reversed(running) if block.row - s.row < s.header_rows), None)
        depth = max((s.depth for s in running), default=-1) + 1
        if host is None and depth >= MAX_DEPTH:
            host = max(running, key=lambda s: (s.depth, s.row))
        if host is not None:
            _collapse(host, block, rows)
        else:
            block.depth = depth
            shown.append(block)
    return shown


def _place(column: DayColumn, first: int, last: int, now_minutes: int | None) -> None:
    rows = (last - first) // ROW_MINUTES
    for block in column.blocks:
        block.row = (block.start - first) // ROW_MINUTES + 1
        end_row = -(-(block.end - first) // ROW_MINUTES) + 1
        block.span = min(max(end_row - block.row, MIN_ROWS), rows - block.row + 1)
    column.blocks.sort(key=lambda b: (b.start, b.event.start, b.event.pk))
    column.shown = cascade(column.blocks, rows)
    if column.is_today and now_minutes is not None and first <= now_minutes < last:
        column.now_row = (now_minutes - first) // ROW_MINUTES + 1


def range_title(days: list[date]) -> str:
    a, b = days[0], days[-1]
    if a == b:
        return f"{a:%A}, {a:%B} {a.day}, {a.year}"
    if a.year != b.year:
        return f"{a:%b} {a.day}, {a.year} {DASH} {b:%b} {b.day}, {b.year}"
    if a.month != b.month:
        return f"{a:%B} {a.day} {DASH} {b:%B} {b.day}, {b.year}"
    return f"{a:%B} {a.day} {DASH} {b.day}, {a.year}"


def schedule_url(view: str, day: date | None = None, *, path: str = "") -> str | None:
    """The schedule in `view` on `day`; `path`, the schedule's own, saves a reverse() per link."""
    if day is not None and not FIRST_DAY <= day <= LAST_DAY:
        return None
    query = {"view": view} | ({"date": day.isoformat()} if day else {})
    return f"{path or reverse('schedules:schedule')}?{urlencode(query)}"


def week_of(day: date) -> list[date]:
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=i) for i in range(7)]


def event_edit_url(event: Event, *, path: tuple[str, str] | None = None) -> str:
    """Where an event is edited; an occurrence of a series opens as that occurrence. `path`,
    from edit_path(), saves a reverse() per event."""
    head, tail = path or edit_path()
    url = f"{head}{event.series_key}{tail}"
    if event.recurrence_id is None:
        return url
    return f"{url}?{urlencode({'occurrence': event.recurrence_id.astimezone(UTC).isoformat()})}"


def edit_path() -> tuple[str, str]:
    """The edit page's path before and after the event's id: reverse() once for many events."""
    head, tail = reverse("schedules:event-edit", args=[_ID_MARK]).rsplit(str(_ID_MARK), 1)
    return head, tail


def _label(column: DayColumn, schedule_path: str) -> None:
    """The day's names and its day-view link, as the template's `|date:"D"`, `"j"`, `"F"` and
    `"l, F j"` wrote them (Django's dateformat reads the same translated names)."""
    day = column.day
    column.iso, column.compact = day.isoformat(), f"{day:%Y%m%d}"
    weekday, month = str(WEEKDAYS[day.weekday()]), str(MONTHS[day.month])
    column.name, column.number = str(WEEKDAYS_ABBR[day.weekday()]), str(day.day)
    column.month, column.heading = month, f"{weekday}, {month} {day.day}"
    column.day_url = f"{schedule_path}?view=day&date={column.iso}"


def _hour_slots(column: DayColumn, create_path: str, hours: list[dict]) -> SafeString:
    """HOUR_SLOT_HTML for each hour, every piece escaped once per column rather than per slot."""
    heading, start = escape(column.heading), escape(f"{create_path}?start={column.iso}T")
    slots = (HOUR_SLOT_HTML.format(h["row"], start + h["at"], heading, h["html"]) for h in hours)
    return mark_safe("".join(slots))  # noqa: S308 - each piece is escaped (here and in _prepare)


def _prepare(columns: list[DayColumn], hours: list[dict], highlight: int | None) -> None:
    """Every link and class the drawn columns print: one reverse() per page, not per cell."""
    create_path, path = reverse("schedules:event-create"), edit_path()
    hours = [h | {"html": escape(h["label"]), "at": escape(h["value"])} for h in hours]
    for column in columns:
        column.add_url = f"{create_path}?start={column.iso}T09:00"
        column.hour_slots = _hour_slots(column, create_path, hours)
        for item in column.all_day:
            item.url = event_edit_url(item.event, path=path)
            item.highlighted = item.event.pk == highlight
        for block in column.blocks:
            _prepare_block(block, event_edit_url(block.event, path=path), highlight)


def _prepare_block(block: Block, url: str, highlight: int | None) -> None:
    block.url, block.highlighted = url, block.event.pk == highlight
    flags = (
        (block.short, " is-short"),
        (block.event.show_as == Event.ShowAs.FREE, " is-free"),
        (block.past, " is-past"),
        (block.highlighted, " is-highlighted"),
    )
    block.classes = block.css + "".join(name for on, name in flags if on)


def _day_strip(view: str, anchor: date, columns: list[DayColumn], path: str) -> list[dict]:
    """The phone's row of the week's days: each switches the agenda to that day."""
    return [
        {
            "day": column.day,
            "column": column,
            "url": schedule_url(view, column.day, path=path),
            "selected": column.day == anchor,
            "is_today": column.is_today,
            "count": len(column.all_day) + len(column.blocks),
        }
        for column in columns
    ]


def nav_context(*, view: str, anchor: date, today: date, days: list[date], step) -> dict:
    """The toolbar's links: previous, today, next, and the three views."""
    path = reverse("schedules:schedule")
    return {
        "view": view,
        "anchor": anchor,
        "title": range_title(days) if view != "month" else f"{anchor:%B %Y}",
        "prev_url": schedule_url(view, step(-1), path=path),
        "next_url": schedule_url(view, step(1), path=path),
        "today_url": schedule_url(view, path=path),
        "day_url": schedule_url("day", today if today in days else anchor, path=path),
        "week_url": schedule_url("week", anchor, path=path),
        "month_url": schedule_url("month", anchor, path=path),
        "shows_today": today in days,
    }


def schedule_panel_context(
    *, user, view: str, anchor: date, now: datetime, clock=None, highlight: int | None = None
) -> dict:
    """Everything the week or day panel needs; one query for the events of the anchor's week."""
    tz, clock = user.tz, clock or Clock()
    local_now = now.astimezone(tz)
    week = week_of(anchor)
    events = selectors.event_list_for_user(
        user=user, start=midnight(week[0], tz), end=midnight(week[-1] + ONE_DAY, tz)
    )
    occurrences = occurrences_of(events)
    week_columns = [_column(day, occurrences, tz, now, clock) for day in week]
    columns = [c for c in week_columns if c.day == anchor] if view == "day" else week_columns
    first, last = _visible_minutes(user, columns)
    for column in columns:
        _place(column, first, last, local_now.hour * 60 + local_now.minute)
    schedule_path = reverse("schedules:schedule")
    for column in week_columns:
        _label(column, schedule_path)
    hours = [
        {"row": (h * 60 - first) // ROW_MINUTES + 1, "label": clock.hour(h), "value": f"{h:02d}:00"}
        for h in range(first // 60, last // 60)
    ]
    _prepare(columns, hours, highlight)
    days = [column.day for column in columns]
    size = 1 if view == "day" else 7
    return {
        **nav_context(
            view=view,
            anchor=anchor,
            today=local_now.date(),
            days=days,
            step=lambda n: days[0] + timedelta(days=n * size),
        ),
        "columns": columns,
        "strip": _day_strip(view, anchor, week_columns, schedule_path),
        "has_all_day": any(column.all_day for column in columns),
        "hours": hours,
        "event_count": sum(len(c.all_day) + len(c.blocks) for c in columns),
    }


def placement_css() -> str:
    """The classes that place a block on the grid (.r-<first row>, .span-<rows>): the CSP
    forbids inline styles, so every row a day has gets its class, generated from ROW_MINUTES
    into static/css/grid-placement.css (`manage.py grid_css`)."""
    rows = 24 * 60 // ROW_MINUTES
    lines = [
        f"/* Generated by `manage.py grid_css > static/css/grid-placement.css` from schedules/"
        f"grid.py: {rows} rows of {ROW_MINUTES} minutes. Do not edit by hand. */",
        *(f".r-{n}{{grid-row-start:{n}}}" for n in range(1, rows + 1)),
        *(f".span-{n}{{grid-row-end:span {n}}}" for n in range(1, rows + 1)),
    ]
    return "\n".join(lines) + "\n"

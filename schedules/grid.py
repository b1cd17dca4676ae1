"""The week and day grids: where each event sits, in the user's own wall-clock time."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.urls import reverse

from schedules import selectors
from schedules.models import FIRST_DAY, LAST_DAY, Event
from schedules.speech import DASH, clock, time_range

ROW_MINUTES = 5
MIN_ROWS = 3  # a 5-minute event is still drawn 15 minutes tall, so its title fits
MAX_LANES = 6  # matches the .lane-*-of-* classes generated in schedule.css
ONE_DAY = timedelta(days=1)


# --- The grid ------------------------------------------------------------------------------


@dataclass
class Block:
    """One timed event's piece within one day column, placed on 5-minute grid rows."""

    event: Event
    start: int  # minutes after local midnight, by the wall clock
    end: int
    label: str
    row: int = 1
    span: int = MIN_ROWS
    lane: int = 0
    lanes: int = 1
    past: bool = False

    @property
    def css(self) -> str:
        return f"r-{self.row} span-{self.span} lane-{self.lane}-of-{self.lanes}"

    @property
    def short(self) -> bool:
        return self.span <= 6


@dataclass
class DayColumn:
    day: date
    is_today: bool
    all_day: list[Event] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    now_row: int | None = None


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    # Through UTC and back, so a zone whose DST starts at midnight gets its real first instant.
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC).astimezone(tz)


def _wall_minutes(moment: datetime, day: date, tz: ZoneInfo) -> int:
    local = moment.astimezone(tz)
    if local.date() != day:
        return 0 if local.date() < day else 24 * 60
    return local.hour * 60 + local.minute


def _column(day: date, events: list[Event], tz: ZoneInfo, now: datetime) -> DayColumn:
    lower, upper = _midnight(day, tz), _midnight(day + ONE_DAY, tz)
    column = DayColumn(day=day, is_today=day == now.astimezone(tz).date())
    for event in events:
        if event.start >= upper or event.end <= lower:
            continue
        if event.all_day:
            column.all_day.append(event)
            continue
        start = _wall_minutes(max(event.start, lower), day, tz)
        # On a fall-back night the end's wall time can precede the start's; MIN_ROWS covers it.
        end = _wall_minutes(min(event.end, upper), day, tz) if event.end < upper else 24 * 60
        label = time_range(event.start, event.end, tz)
        past = event.end <= now
        column.blocks.append(Block(event=event, start=start, end=end, label=label, past=past))
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


def _assign_lanes(blocks: list[Block]) -> None:
    """Side by side where events overlap: greedy lanes within each group of overlapping blocks."""
    blocks.sort(key=lambda b: (b.row, -b.span, b.event.pk))
    group: list[Block] = []
    lane_ends: list[int] = []
    group_end = 0
    for block in [*blocks, None]:
        if block is None or (group and block.row >= group_end):
            for member in group:
                member.lanes = min(len(lane_ends), MAX_LANES)
            group, lane_ends = [], []
        if block is None:
            break
        free = next((i for i, end in enumerate(lane_ends) if end <= block.row), None)
        if free is None:
            free = len(lane_ends)
            lane_ends.append(0)
        lane_ends[free] = block.row + block.span
        block.lane = min(free, MAX_LANES - 1)
        group.append(block)
        group_end = max(group_end, block.row + block.span)


def _place(column: DayColumn, first: int, last: int, now_minutes: int | None) -> None:
    rows = (last - first) // ROW_MINUTES
    for block in column.blocks:
        block.row = (block.start - first) // ROW_MINUTES + 1
        end_row = -(-(block.end - first) // ROW_MINUTES) + 1
        block.span = min(max(end_row - block.row, MIN_ROWS), rows - block.row + 1)
    _assign_lanes(column.blocks)
    column.blocks.sort(key=lambda b: (b.start, b.event.start, b.event.pk))
    if column.is_today and now_minutes is not None and first <= now_minutes < last:
        column.now_row = (now_minutes - first) // ROW_MINUTES + 1


def _range_title(days: list[date]) -> str:
    a, b = days[0], days[-1]
    if a == b:
        return f"{a:%A}, {a:%B} {a.day}, {a.year}"
    if a.year != b.year:
        return f"{a:%b} {a.day}, {a.year} {DASH} {b:%b} {b.day}, {b.year}"
    if a.month != b.month:
        return f"{a:%B} {a.day} {DASH} {b:%B} {b.day}, {b.year}"
    return f"{a:%B} {a.day} {DASH} {b.day}, {a.year}"


def schedule_url(view: str, day: date | None = None) -> str | None:
    if day is not None and not FIRST_DAY <= day <= LAST_DAY:
        return None
    query = {"view": view} | ({"date": day.isoformat()} if day else {})
    return f"{reverse('schedules:schedule')}?{urlencode(query)}"


def schedule_panel_context(*, user, view: str, anchor: date, now: datetime) -> dict:
    """Everything the schedule panel partial needs; one query for the events of the window."""
    tz = user.tz
    local_now = now.astimezone(tz)
    today = local_now.date()
    days = (
        [anchor]
        if view == "day"
        else [anchor - timedelta(days=anchor.weekday() - i) for i in range(7)]
    )
    events = list(
        selectors.event_list_for_user(
            user=user, start=_midnight(days[0], tz), end=_midnight(days[-1] + ONE_DAY, tz)
        )
    )
    columns = [_column(day, events, tz, now) for day in days]
    first, last = _visible_minutes(user, columns)
    for column in columns:
        _place(column, first, last, local_now.hour * 60 + local_now.minute)
    step = timedelta(days=1 if view == "day" else 7)
    return {
        "view": view,
        "anchor": anchor,
        "columns": columns,
        "has_all_day": any(column.all_day for column in columns),
        "hours": [
            {
                "row": (h * 60 - first) // ROW_MINUTES + 1,
                "label": clock(time(h)).replace(":00", ""),
                "value": f"{h:02d}:00",
            }
            for h in range(first // 60, last // 60)
        ],
        "title": _range_title(days),
        "prev_url": schedule_url(view, days[0] - step),
        "next_url": schedule_url(view, days[0] + step),
        "today_url": schedule_url(view),
        "day_url": schedule_url("day", today if today in days else days[0]),
        "week_url": schedule_url("week", anchor),
        "shows_today": today in days,
        "event_count": len(events),
    }

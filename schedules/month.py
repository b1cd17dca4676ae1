"""The month view: the weeks that cover one month, each day with its first few events."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from schedules import selectors
from schedules.clock import Clock
from schedules.grid import ONE_DAY, Occurrence, midnight, nav_context, occurrences_of, week_of
from schedules.models import FIRST_DAY, LAST_DAY

SHOWN_PER_DAY = 3  # a fourth line becomes "+N more", which opens the day


@dataclass
class MonthItem:
    occurrence: Occurrence
    label: str  # "All day" or the start time
    past: bool


@dataclass
class MonthDay:
    day: date
    in_month: bool
    is_today: bool
    items: list[MonthItem] = field(default_factory=list)

    @property
    def shown(self) -> list[MonthItem]:
        limit = SHOWN_PER_DAY if len(self.items) <= SHOWN_PER_DAY else SHOWN_PER_DAY - 1
        return self.items[:limit]

    @property
    def more(self) -> int:
        return len(self.items) - len(self.shown)


def _month_days(anchor: date) -> list[date]:
    first = anchor.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - ONE_DAY
    start, end = week_of(first)[0], week_of(last)[-1]
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _shift(anchor: date, months: int) -> date:
    index = anchor.year * 12 + anchor.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _fill(days: dict[date, MonthDay], occurrences, tz, now, clock: Clock) -> None:
    for occurrence in occurrences:
        event, start, end = occurrence
        day = start.astimezone(tz).date()
        last = (end - timedelta(microseconds=1)).astimezone(tz).date()
        label = "All day" if event.all_day else clock.time(start.astimezone(tz))
        while day <= last:
            if day in days:
                days[day].items.append(MonthItem(occurrence, label, end <= now))
            day += ONE_DAY


def month_context(*, user, anchor: date, now: datetime, clock: Clock) -> dict:
    """The month around `anchor`, Monday first; one query for all its days' events."""
    tz = user.tz
    today = now.astimezone(tz).date()
    dates = _month_days(anchor)
    days = {d: MonthDay(d, d.month == anchor.month, d == today) for d in dates}
    events = selectors.event_list_for_user(
        user=user, start=midnight(dates[0], tz), end=midnight(dates[-1] + ONE_DAY, tz)
    )
    occurrences = occurrences_of(events)
    _fill(days, occurrences, tz, now, clock)
    for month_day in days.values():
        # All-day first, then by start: as each day reads in the agenda.
        month_day.items.sort(key=lambda i: (not i.occurrence.event.all_day, i.occurrence.start))

    def step(months: int) -> date:
        target = _shift(anchor, months)
        return target if FIRST_DAY <= target <= LAST_DAY else date.max

    in_month = [d for d in dates if d.month == anchor.month]
    return {
        **nav_context(view="month", anchor=anchor, today=today, days=in_month, step=step),
        "weeks": [[days[d] for d in dates[i : i + 7]] for i in range(0, len(dates), 7)],
        "weekdays": [(f"{d:%a}", f"{d:%A}") for d in dates[:7]],
        "event_count": len(occurrences),
    }

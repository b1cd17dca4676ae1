"""Reading iCalendar data from elsewhere (feeds, imported files): the events, their times.

Google's exports name their zone only in X-WR-TIMEZONE (x-wr-timezone turns that into real
TZIDs); Outlook's use Windows zone names ("W. Europe Standard Time"), which icalendar maps to
IANA zones; recurring-ical-events expands series with their exceptions (RECURRENCE-ID, EXDATE).
A time with no zone at all is read in the user's own.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
import x_wr_timezone
from django.utils.translation import gettext as _

from calendars.errors import CalendarError
from schedules.models import LOCATION_MAX, MAX_EVENT_LENGTH, TITLE_MAX

MAX_OCCURRENCES = 5000


@dataclass(frozen=True)
class Occurrence:
    uid: str
    title: str
    start: datetime
    end: datetime
    all_day: bool
    location: str
    busy: bool
    recurrence_id: datetime | None = None


def calendar_parse(data: bytes) -> icalendar.Calendar:
    """The VCALENDAR in `data`, with X-WR-TIMEZONE applied; CalendarError if it isn't one."""
    try:
        parsed = icalendar.Calendar.from_ical(data)
        if parsed.name != "VCALENDAR":
            raise ValueError(parsed.name)
        return x_wr_timezone.to_standard(parsed)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        raise CalendarError(_("That is not an iCalendar (.ics) calendar DRAKO can read.")) from None


def moment(value, tz: ZoneInfo) -> datetime:
    """An iCalendar DATE or DATE-TIME as an aware datetime: a date is that day's midnight in
    `tz`, a floating time is read in `tz`."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=tz) if value.tzinfo is None else value
    return datetime.combine(value, time(0), tzinfo=tz)  # a date: that day's midnight, here


def component_times(component, tz: ZoneInfo) -> tuple[datetime, datetime, bool] | None:
    """(start, end, all_day) of a VEVENT, its length bounded; None for an instant."""
    begin = component.get("DTSTART")
    if begin is None:
        return None
    all_day = not isinstance(begin.dt, datetime) and isinstance(begin.dt, date)
    if component.get("DTEND") is not None:
        finish = component["DTEND"].dt
    elif component.get("DURATION") is not None:
        finish = begin.dt + component["DURATION"].dt
    else:
        finish = begin.dt + timedelta(days=1) if all_day else begin.dt
    start, end = moment(begin.dt, tz), moment(finish, tz)
    if end <= start:
        return None
    return start, min(end, start + MAX_EVENT_LENGTH), all_day


def _text(component, name: str, limit: int) -> str:
    return str(component.get(name, "")).strip()[:limit]


def occurrence_of(component, tz: ZoneInfo) -> Occurrence | None:
    """One VEVENT (or one expanded occurrence) as DRAKO reads it; None if it takes no time
    or its times can't be read (one broken event doesn't cost the rest of the calendar)."""
    if str(component.get("STATUS", "")).upper() == "CANCELLED":
        return None
    try:
        times = component_times(component, tz)
    except (ValueError, TypeError, AttributeError, OverflowError):  # icalendar's Broken* too
        return None
    if times is None:
        return None
    start, end, all_day = times
    transparency = str(component.get("TRANSP", "")).upper()
    # Like DRAKO's own: an all-day event (a holiday, a birthday) is free unless it says busy.
    busy = transparency == "OPAQUE" or (not all_day and transparency != "TRANSPARENT")
    recurrence_id = component.get("RECURRENCE-ID")
    return Occurrence(
        uid=_text(component, "UID", 500),
        title=_text(component, "SUMMARY", TITLE_MAX) or _("Busy"),
        start=start,
        end=end,
        all_day=all_day,
        location=_text(component, "LOCATION", LOCATION_MAX),
        busy=busy,
        recurrence_id=moment(recurrence_id.dt, tz) if recurrence_id is not None else None,
    )


def occurrences_between(
    calendar: icalendar.Calendar, *, tz: ZoneInfo, start: datetime, end: datetime
) -> list[Occurrence]:
    """Every occurrence of the calendar's events overlapping [start, end), series expanded."""
    try:
        query = recurring_ical_events.of(calendar, skip_bad_series=True)
        found = []
        for component in query.between(start, end):
            occurrence = occurrence_of(component, tz)
            if occurrence is not None:
                found.append(occurrence)
            if len(found) > MAX_OCCURRENCES:
                raise CalendarError(
                    _("The calendar has more than %(count)s events in the coming year; DRAKO "
                      "can't follow it.") % {"count": MAX_OCCURRENCES}
                )  # fmt: skip
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
        # recurring-ical-events' InvalidCalendar and BadRuleStringFormat are ValueErrors.
        raise CalendarError(_("That is not an iCalendar (.ics) calendar DRAKO can read.")) from None
    return found

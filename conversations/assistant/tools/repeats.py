"""How the tools read and say repeats: "every weekday until December" as a rule, "this
Thursday" or "next week" as occurrences of a series, and which occurrences a change touches."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from conversations.assistant.answers import Refusal
from conversations.assistant.context import ToolContext
from conversations.assistant.tools import times
from schedules import recurrence, speech
from schedules import selectors as schedule_selectors
from schedules.models import Event

REPEAT_HINT = (
    "Send repeat as words ('every weekday', 'every other Tuesday', 'monthly on the second "
    "Tuesday', optionally 'until December' or '10 times') or an RRULE (FREQ=WEEKLY;BYDAY=MO)."
)
OCCURRENCE_HINT = (
    "Pass occurrence: the occurrence's start from list_schedule_events, or a day or span "
    "('Thursday', 'next week'); or scope 'all' for the whole series."
)
_END = re.compile(
    r"^(?P<rule>.*?)[\s,;]*\b(?:(?:stop(?:ping)?\s+)?(?:until|till|through|thru|ending|after)\s+"
    r"(?P<until>.+)|(?:for\s+)?(?P<count>\d{1,4})\s+times?)\s*$",
    re.IGNORECASE,
)
MAX_NAMED_DAYS = 5


def _refused(message: str) -> Refusal:
    return Refusal(message, hint=REPEAT_HINT)


def _until(ctx: ToolContext, text: str) -> datetime:
    """The last instant of the day or span named ("December", "the 20th", "2030-12-31")."""
    return times.window(ctx, text)[1] - timedelta(seconds=1)


def rule(ctx: ToolContext, text: str, *, start: datetime, current: str = "") -> str:
    """The rule said in `text`, with its end ("until December", "10 times"); only an end
    ("until December") keeps `current`'s pattern. Stored form; refusals in words."""
    match = _END.match(text.strip())
    pattern, until, count = (match.group("rule"), match.group("until"), match.group("count")) if (
        match
    ) else (text, None, None)  # fmt: skip
    try:
        if pattern.strip(" ,;") or not current:
            base = recurrence.rule_from_words(pattern, start=speech.local(start, ctx.tz))
        else:
            base = current
        if until:
            return recurrence.rule_normalize(
                recurrence.rule_ending(base, until=_until(ctx, until)), tz=ctx.tz
            )
        if count:
            return recurrence.rule_normalize(
                recurrence.rule_ending(base, count=int(count)), tz=ctx.tz
            )
        return recurrence.rule_normalize(base, tz=ctx.tz)
    except recurrence.RecurrenceError as exc:
        raise _refused(exc.message) from None


def words(series_rule: str, first: datetime, zone: str | ZoneInfo) -> str:
    tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    return recurrence.rule_words(series_rule, first, tz)


def occurrences(ctx: ToolContext, series: Event, text: str) -> list[Event]:
    """The occurrences of `series` that `text` names: one start ("2030-01-17T09:00", from the
    list), or every one in a day or span ("Thursday", "next week")."""
    try:
        start, end = times.window(ctx, text)
        exact = None
    except Refusal as not_a_span:
        try:
            exact = times.moment(ctx, text, "occurrence")
        except Refusal:
            raise not_a_span from None
        day = speech.local(exact, ctx.tz).replace(hour=0, minute=0, second=0, microsecond=0)
        start, end = day, day + timedelta(days=1)
    found = [
        o
        for o in schedule_selectors.event_list_for_user(user=ctx.user, start=start, end=end)
        if o.series_key == series.pk and o.recurrence_id is not None and o.start >= start
    ]
    if exact is not None:
        found = [o for o in found if o.recurrence_id == exact or o.start == exact] or found[:1]
    if not found:
        raise Refusal(
            _("%(title)s doesn't happen then. Which one do you mean?") % {"title": series.title},
            hint=OCCURRENCE_HINT,
        )
    return found


def occurrence_of(ctx: ToolContext, series: Event, found: Event) -> Event:
    """The listed occurrence as the schedule services change it (its own row, if it has one)."""
    return schedule_selectors.occurrence_get_for_user(
        user=ctx.user, event_id=series.pk, recurrence_id=found.recurrence_id
    )


def next_occurrence(ctx: ToolContext, series: Event) -> Event:
    """The series' next occurrence from now (or its last, if all are past)."""
    upcoming = schedule_selectors.series_occurrences(
        series, start=ctx.now, end=ctx.now + timedelta(days=400)
    )
    if upcoming:
        return upcoming[0]
    return schedule_selectors.series_occurrences(
        series, start=series.start, end=series.start + timedelta(days=1)
    )[0]


def days_said(found: list[Event], ctx: ToolContext) -> str:
    """'Monday, January 14, Tuesday, January 15 and 3 more'."""
    today = speech.local(ctx.now, ctx.tz).date()
    named = [speech.day(speech.local(o.start, ctx.tz).date(), today) for o in found]
    if len(named) > MAX_NAMED_DAYS:
        more = len(named) - MAX_NAMED_DAYS + 1
        return _("%(days)s and %(more)s more") % {
            "days": ", ".join(named[: MAX_NAMED_DAYS - 1]),
            "more": more,
        }
    if len(named) == 1:
        return named[0]
    return _("%(most)s and %(last)s") % {"most": ", ".join(named[:-1]), "last": named[-1]}


def count_said(count: int) -> str:
    return ngettext("%(count)s time", "%(count)s times", count) % {"count": count}

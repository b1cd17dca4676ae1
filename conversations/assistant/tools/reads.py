"""Tools that only read the schedule: list events, find free time."""

from datetime import timedelta

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import serializers

from conversations.assistant.answers import reply
from conversations.assistant.context import ToolContext
from conversations.assistant.tools import times
from personas.tools import tool
from schedules import recurrence, speech
from schedules import selectors as schedule_selectors
from schedules.models import Event

MAX_LISTED = 12
MAX_SLOTS = 5


class ListInput(serializers.Serializer):
    when = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="The day or range; empty for today",
    )


@tool(
    description=(
        "List the user's events for a day or a range, in their own time zone: 'today', 'tomorrow', "
        "'Friday', 'next week', '2026-03-06', or '2026-03-06 to 2026-03-08'. Empty means today. "
        "ISO dates without an offset are the surest form. Use the ids it returns with the other "
        "tools."
    ),
    serializer_class=ListInput,
)
def list_schedule_events(ctx: ToolContext, data: dict) -> dict:
    text = data["when"].strip() or "today"
    start, end = times.window(ctx, text)
    events = list(
        schedule_selectors.event_list_for_user(user=ctx.user, start=start, end=end)[
            : MAX_LISTED + 1
        ]
    )
    several_days = (end - start) > timedelta(days=1)
    listed = [_event_out(e, ctx) for e in events[:MAX_LISTED]]
    if several_days:
        label = speech.days(start, end - timedelta(days=1), tz=ctx.tz, now=ctx.now)
    else:
        label = speech.describe_day(start, tz=ctx.tz, now=ctx.now)
    if not events:
        return reply(_("Nothing is scheduled for %(when)s.") % {"when": label}, events=[])
    truncated = len(events) > MAX_LISTED
    return reply(_listing(events, label, several_days, ctx), events=listed, truncated=truncated)


def _listing(events: list[Event], label: str, several_days: bool, ctx: ToolContext) -> str:
    names = _("; ").join(_named(e, ctx, with_day=several_days) for e in events[:4])
    said = {"when": label, "count": len(events), "names": names, "most": MAX_LISTED}
    if len(events) > MAX_LISTED:
        return _("For %(when)s you have more than %(most)s events, starting with %(names)s.") % said
    text = ngettext(
        "For %(when)s you have %(count)s event: %(names)s.",
        "For %(when)s you have %(count)s events: %(names)s.",
        len(events),
    )
    if len(events) > 4:
        text = text[:-1] + _(", and %(more)s more.") % {"more": len(events) - 4}
    return text % said


def _named(event: Event, ctx: ToolContext, *, with_day: bool) -> str:
    """'Gym at 9:00 AM', or 'Gym on Tuesday at 9:00 AM' when the list spans several days."""
    local = speech.local(event.start, ctx.tz)
    said = {
        "title": speech.titled(event),
        "clock": speech.short_clock(local),
        "weekday": speech.weekday(local),
    }
    if event.all_day:
        return (
            _("%(title)s on %(weekday)s, all day") if with_day else _("%(title)s, all day")
        ) % said
    return (
        _("%(title)s on %(weekday)s at %(clock)s") if with_day else _("%(title)s at %(clock)s")
    ) % said


def _event_out(event: Event, ctx: ToolContext) -> dict:
    out = {
        "id": event.series_key,
        "title": event.title,
        "start": event.start.astimezone(ctx.tz).isoformat(),
        "end": event.end.astimezone(ctx.tz).isoformat(),
        "location": event.location,
        "when": speech.describe(event.start, tz=ctx.tz, now=ctx.now),
    }
    if event.read_only:  # another calendar's: busy, but no tool changes it
        out.update(calendar=event.other_calendar.name, read_only=True)
    if event.recurrence_id is not None:  # one occurrence of a repeating event
        out["occurrence"] = event.recurrence_id.astimezone(ctx.tz).isoformat()
        if event.recurrence:
            out["repeats"] = recurrence.rule_words(event.recurrence, event.start, ctx.tz)
    return out


class FreeSlotsInput(serializers.Serializer):
    duration_minutes = serializers.CharField(
        max_length=50, help_text="Length, e.g. '30' or 'an hour'"
    )
    when = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="Day or range to search; empty for the next 7 days",
    )


@tool(
    description=(
        "Find free time of a given length within the user's working hours, in a day or range "
        "('tomorrow', 'this week', 'Friday', or ISO dates without an offset, the surest form); "
        "empty means the next 7 days."
    ),
    serializer_class=FreeSlotsInput,
)
def find_free_slots(ctx: ToolContext, data: dict) -> dict:
    length = times.length(ctx, data["duration_minutes"])
    if data["when"].strip():
        start, end = times.window(ctx, data["when"])
    else:
        start, end = ctx.now, ctx.now + timedelta(days=7)
    slots = schedule_selectors.free_slots_for_user(
        user=ctx.user, start=start, end=end, duration=length, now=ctx.now
    )
    if not slots:
        return reply(_("I found no free time of that length then. Try another day?"), slots=[])
    out = [
        {
            "start": s.start.astimezone(ctx.tz).isoformat(),
            "end": s.end.astimezone(ctx.tz).isoformat(),
            "when": speech.spoken_span(s.start, s.end, ctx.tz, now=ctx.now),
        }
        for s in slots[:MAX_SLOTS]
    ]
    choices = speech.free_times([(s.start, s.end) for s in slots[:3]], ctx.tz, now=ctx.now)
    return reply(_("You're free %(choices)s.") % {"choices": choices}, slots=out)

"""Tools that only read the schedule: list events, find free time."""

from datetime import timedelta

from rest_framework import serializers

from conversations.assistant.answers import Refusal, reply
from conversations.assistant.context import ToolContext
from personas.tools import tool
from schedules import selectors as schedule_selectors
from schedules import speech, timeparse
from schedules.models import Event

MAX_LISTED = 12
MAX_SLOTS = 5


def _when_refusal(exc: timeparse.TimeParseError, what: str) -> Refusal:
    return Refusal(
        exc.message,
        hint=f"Couldn't read {what}. Send a day or span such as 'today', 'this week' or "
        "'2026-03-06 to 2026-03-08'.",
    )


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
        "Use the ids it returns with the other tools."
    ),
    serializer_class=ListInput,
)
def list_schedule_events(ctx: ToolContext, data: dict) -> dict:
    text = data["when"].strip() or "today"
    try:
        start, end = timeparse.parse_range(text, tz=ctx.tz, now=ctx.now)
    except timeparse.TimeParseError as exc:
        raise _when_refusal(exc, "when") from None
    events = list(
        schedule_selectors.event_list_for_user(user=ctx.user, start=start, end=end)[
            : MAX_LISTED + 1
        ]
    )
    label = text if (end - start) > timedelta(days=1) else _day_label(ctx, start)
    listed = [_event_out(e, ctx) for e in events[:MAX_LISTED]]
    if not events:
        return reply(f"Nothing is scheduled for {label}.", events=[])
    names = "; ".join(
        f"{e.title} at {speech.clock(e.start.astimezone(ctx.tz))}" for e in events[:4]
    )
    truncated = len(events) > MAX_LISTED
    if truncated:
        say = f"For {label} you have more than {MAX_LISTED} events, starting with {names}."
    else:
        more = f", and {len(events) - 4} more" if len(events) > 4 else ""
        plural = "s" if len(events) != 1 else ""
        say = f"For {label} you have {len(events)} event{plural}: {names}{more}."
    return reply(say, events=listed, truncated=truncated)


def _day_label(ctx: ToolContext, start) -> str:
    return speech.describe(start, tz=ctx.tz, now=ctx.now).split(" at ")[0]


def _event_out(event: Event, ctx: ToolContext) -> dict:
    return {
        "id": event.pk,
        "title": event.title,
        "start": event.start.astimezone(ctx.tz).isoformat(),
        "end": event.end.astimezone(ctx.tz).isoformat(),
        "location": event.location,
        "when": speech.describe(event.start, tz=ctx.tz, now=ctx.now),
    }


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
        "('tomorrow', 'this week', 'Friday'); empty means the next 7 days."
    ),
    serializer_class=FreeSlotsInput,
)
def find_free_slots(ctx: ToolContext, data: dict) -> dict:
    try:
        length = timeparse.parse_duration(data["duration_minutes"])
    except timeparse.TimeParseError as exc:
        raise Refusal(exc.message, hint="Send duration_minutes as minutes, e.g. '30'.") from None
    try:
        if data["when"].strip():
            start, end = timeparse.parse_range(data["when"], tz=ctx.tz, now=ctx.now)
        else:
            start, end = ctx.now, ctx.now + timedelta(days=7)
    except timeparse.TimeParseError as exc:
        raise _when_refusal(exc, "when") from None
    slots = schedule_selectors.free_slots_for_user(
        user=ctx.user, start=start, end=end, duration=length, now=ctx.now
    )
    if not slots:
        return reply("I found no free time of that length then. Try another day?", slots=[])
    out = [
        {
            "start": s.start.astimezone(ctx.tz).isoformat(),
            "end": s.end.astimezone(ctx.tz).isoformat(),
            "when": speech.span(s.start, s.end, ctx.tz, now=ctx.now),
        }
        for s in slots[:MAX_SLOTS]
    ]
    return reply(f"You're free {'; or '.join(o['when'] for o in out[:3])}.", slots=out)

"""Tools that only read the schedule: list events, find free time."""

from datetime import timedelta

from rest_framework import serializers

from conversations.proposals import spoken
from conversations.schedule_tools.base import (
    MAX_LISTED,
    MAX_SLOTS,
    ToolContext,
    ToolInputError,
    clock,
    span,
)
from conversations.tools import tool
from schedules import selectors as schedule_selectors
from schedules import timeparse
from schedules.models import Event


class ListInput(serializers.Serializer):
    when = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


@tool(
    description=(
        "List the user's events for a day or a range, in their own time zone: 'today', 'tomorrow', "
        "'Friday', 'next week', '2026-03-06', or '2026-03-06 to 2026-03-08'. Empty means today. "
        "Use the ids it returns with the other tools."
    ),
    parameters={
        "type": "object",
        "properties": {
            "when": {"type": "string", "description": "The day or range; empty for today"}
        },
    },
    serializer_class=ListInput,
)
def list_schedule_events(ctx: ToolContext, data: dict) -> dict:
    text = data["when"].strip() or "today"
    try:
        start, end = timeparse.parse_range(text, tz=ctx.tz, now=ctx.now)
    except timeparse.TimeParseError as exc:
        raise ToolInputError(exc.message) from None
    events = list(
        schedule_selectors.event_list_for_user(user=ctx.user, start=start, end=end)[
            : MAX_LISTED + 1
        ]
    )
    label = text if (end - start) > timedelta(days=1) else spoken(start, ctx.tz).split(" at ")[0]
    listed = [_event_out(e, ctx.tz) for e in events[:MAX_LISTED]]
    if not events:
        return {"ok": True, "say": f"Nothing is scheduled for {label}.", "events": []}
    names = "; ".join(f"{e.title} at {clock(e.start, ctx.tz)}" for e in events[:4])
    truncated = len(events) > MAX_LISTED
    if truncated:
        say = f"For {label} you have more than {MAX_LISTED} events, starting with {names}."
    else:
        more = f", and {len(events) - 4} more" if len(events) > 4 else ""
        plural = "s" if len(events) != 1 else ""
        say = f"For {label} you have {len(events)} event{plural}: {names}{more}."
    return {"ok": True, "say": say, "events": listed, "truncated": truncated}


def _event_out(event: Event, tz) -> dict:
    return {
        "id": event.pk,
        "title": event.title,
        "start": event.start.astimezone(tz).isoformat(),
        "end": event.end.astimezone(tz).isoformat(),
        "location": event.location,
        "when": spoken(event.start, tz),
    }


class FreeSlotsInput(serializers.Serializer):
    duration_minutes = serializers.CharField(max_length=50)
    when = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


@tool(
    description=(
        "Find free time of a given length within the user's working hours, in a day or range "
        "('tomorrow', 'this week', 'Friday'); empty means the next 7 days."
    ),
    parameters={
        "type": "object",
        "properties": {
            "duration_minutes": {"type": "string", "description": "Length, e.g. '30' or 'an hour'"},
            "when": {
                "type": "string",
                "description": "Day or range to search; empty for the next 7 days",
            },
        },
    },
    serializer_class=FreeSlotsInput,
)
def find_free_slots(ctx: ToolContext, data: dict) -> dict:
    try:
        length = timeparse.parse_duration(data["duration_minutes"])
        if data["when"].strip():
            start, end = timeparse.parse_range(data["when"], tz=ctx.tz, now=ctx.now)
        else:
            start, end = ctx.now, ctx.now + timedelta(days=7)
    except timeparse.TimeParseError as exc:
        raise ToolInputError(exc.message) from None
    slots = schedule_selectors.free_slots_for_user(
        user=ctx.user, start=start, end=end, duration=length, now=ctx.now
    )
    if not slots:
        return {
            "ok": True,
            "say": "I found no free time of that length then. Try another day?",
            "slots": [],
        }
    out = [
        {
            "start": s.start.astimezone(ctx.tz).isoformat(),
            "end": s.end.astimezone(ctx.tz).isoformat(),
            "when": span(s.start, s.end, ctx.tz),
        }
        for s in slots[:MAX_SLOTS]
    ]
    spoken = "; or ".join(o["when"] for o in out[:3])
    return {"ok": True, "say": f"You're free {spoken}.", "slots": out}

"""How the tools read the times people say: starts, ends, lengths and windows, all through
schedules.timeparse, and every failure turned into a question for the person (the parser's
advice on formats goes to the LLM, in the hint)."""

from datetime import datetime, timedelta

from conversations.assistant.answers import Refusal
from conversations.assistant.context import ToolContext
from schedules import timeparse

TIME_HINT = "Send ISO 8601 without an offset (2026-03-06T15:00) or the user's own words."
DEFAULT_LENGTH = timedelta(hours=1)


def refusal(exc: timeparse.TimeParseError, what: str) -> Refusal:
    """The parser's question for the person; its advice on formats is for the LLM only."""
    said = exc.message.replace(timeparse.HINT, "").strip()
    if said != exc.message:  # the parser had nothing to ask, only a format to suggest
        said = f"{said} When is the {what}?"
    return Refusal(f"For the {what}: {said}", hint=f"{exc.message} {TIME_HINT}")


def moment(ctx: ToolContext, text: str, what: str, *, default_hour: int | None = None) -> datetime:
    """A point in time the person named, in their zone."""
    try:
        return timeparse.parse_datetime(text, tz=ctx.tz, now=ctx.now, default_hour=default_hour)
    except timeparse.TimeParseError as exc:
        raise refusal(exc, what) from None


def length(text: str) -> timedelta:
    """A length the person named ('90', '90 minutes', 'an hour and a half')."""
    try:
        return timeparse.parse_duration(text)
    except timeparse.TimeParseError as exc:
        raise Refusal(
            exc.message, hint="Send duration_minutes as minutes, e.g. '90', or words."
        ) from None


def end_of(ctx: ToolContext, start: datetime, *, end_text: str, duration_text: str) -> datetime:
    """Where an event that starts at `start` ends: the end said, else the length said, else an
    hour. An end at or before the start is a question back, never a guess."""
    if end_text.strip():
        end = moment(ctx, end_text, "end")
    elif duration_text.strip():
        end = start + length(duration_text)
    else:
        end = start + DEFAULT_LENGTH
    if end <= start:
        raise Refusal(
            "The end must be after the start. How long does it last?",
            hint="The end was not after the start. Ask how long it lasts.",
        )
    return end


def window(ctx: ToolContext, text: str) -> tuple[datetime, datetime]:
    """A day or a span the person named, as [start, end) in their zone."""
    try:
        return timeparse.parse_range(text, tz=ctx.tz, now=ctx.now)
    except timeparse.TimeParseError as exc:
        raise Refusal(
            exc.message,
            hint="Couldn't read the day or span. Send 'today', 'this week' or "
            "'2026-03-06 to 2026-03-08'.",
        ) from None

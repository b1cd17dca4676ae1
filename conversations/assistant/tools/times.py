"""How the tools read the times people say: starts, ends, moves, lengths and windows, all through
schedules.timeparse in the user's zone and language. A time the parser can't settle becomes a
question for the person (its `message`); its advice on formats goes to the LLM (its `hint`)."""

from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from conversations.assistant.answers import Refusal
from conversations.assistant.context import ToolContext
from schedules import timeparse
from schedules.models import Event

TIME_HINT = "Send ISO 8601 without an offset (2026-03-06T15:00) or the user's own words."
DEFAULT_LENGTH = timedelta(hours=1)


def refusal(exc: timeparse.TimeParseError, what: str = "") -> Refusal:
    """The parser's words for the person, ending in a question the person can answer (so their
    answer gives the LLM its next turn); its hint (or ours) for the LLM."""
    said = exc.message
    if not said.rstrip().endswith("?") and (question := _question(what)):
        said = f"{said} {question}"
    hint = exc.hint or TIME_HINT
    return Refusal(said, hint=f"{what}: {hint}" if what else hint)


def _question(what: str) -> str:
    return {
        "start_time": _("When does it start?"),
        "end_time": _("When does it end?"),
        "duration_minutes": _("How long does it last?"),
        "when": _("Which day do you mean?"),
        "day": _("Which day is it?"),
    }.get(what, "")


def _words(ctx: ToolContext) -> dict:
    return {"tz": ctx.tz, "now": ctx.now, "language": ctx.user.language}


def moment(ctx: ToolContext, text: str, what: str, *, default_hour: int | None = None) -> datetime:
    """A point in time the person named ('tomorrow at 3pm', 'mañana a las tres')."""
    try:
        return timeparse.parse_datetime(text, default_hour=default_hour, **_words(ctx))
    except timeparse.TimeParseError as exc:
        raise refusal(exc, what) from None


def length(ctx: ToolContext, text: str) -> timedelta:
    """A length the person named ('90', '90 minutes', 'an hour and a half')."""
    try:
        return timeparse.parse_duration(text, language=ctx.user.language)
    except timeparse.TimeParseError as exc:
        raise refusal(exc, "duration_minutes") from None


def end_of(ctx: ToolContext, start: datetime, *, end_text: str, duration_text: str) -> datetime:
    """Where an event that starts at `start` ends: the end said ('till 3:30' on the start's day,
    '1 am' the night after, 'end of day' the working day's end), else the length said ('for 90
    minutes'), else an hour."""
    if end_text.strip():
        try:
            return timeparse.parse_end(
                end_text, start=start, day_end=ctx.user.working_day_end, **_words(ctx)
            )
        except timeparse.TimeParseError as exc:
            raise refusal(exc, "end_time") from None
    if duration_text.strip():
        return start + length(ctx, duration_text)
    return start + DEFAULT_LENGTH


def new_start(ctx: ToolContext, event: Event, text: str) -> datetime:
    """Where a move puts the event's start: 'an hour later', 'same time on Friday', 'push it to
    tomorrow', or a time on the event's own day ('move it to 4')."""
    try:
        return timeparse.parse_move(text, start=event.start, end=event.end, **_words(ctx))
    except timeparse.TimeParseError as exc:
        raise refusal(exc, "start_time") from None


def window(ctx: ToolContext, text: str) -> tuple[datetime, datetime]:
    """A day or a span the person named ('tomorrow morning', 'this weekend'), [start, end)."""
    user = ctx.user
    try:
        return timeparse.parse_window(
            text, day_start=user.working_day_start, day_end=user.working_day_end, **_words(ctx)
        )
    except timeparse.TimeParseError as exc:
        raise refusal(exc, "when") from None

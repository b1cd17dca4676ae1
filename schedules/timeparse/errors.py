"""What the parser raises: words for the person in `message`, guidance for the LLM in `hint`.

Messages go through Django's gettext (named placeholders) so they can be spoken in the user's
language; hints are for the LLM and stay in English.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils.translation import gettext as _

HINT_TIME = (
    "Send a day and a time such as 'tomorrow at 3pm', or ISO 8601 without an offset such as "
    "2026-03-06T15:00 (read in the user's own time zone)."
)
HINT_SPAN = "Send a day or span such as 'today', 'this week', 'tomorrow morning' or 2026-03-06."
HINT_DURATION = "Send a length such as '30 minutes' or '1.5 hours', or a number of minutes."
HINT_ASK = "Put this question to the user and send their answer."


class TimeParseError(ValueError):
    """A time could not be used; `message` is for the person, `hint` (optional) for the LLM."""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class NotATimeError(TimeParseError):
    """Nothing in the text was understood as a time at all (not a question, not a bad value)."""


class AmbiguousTimeError(TimeParseError):
    """Several readings; `message` is a question naming them, `options` holds them in order."""

    def __init__(
        self,
        message: str,
        options: tuple[date | datetime | tuple[datetime, datetime], ...] = (),
        *,
        hint: str = HINT_ASK,
    ) -> None:
        super().__init__(message, hint=hint)
        self.options = tuple(options)


class NonexistentTimeError(TimeParseError):
    """A wall time skipped by a DST jump; `suggestion` is the first valid time after it."""

    def __init__(
        self, message: str, suggestion: datetime | None = None, *, hint: str = HINT_ASK
    ) -> None:
        super().__init__(message, hint=hint)
        self.suggestion = suggestion


def snippet(text: str) -> str:
    """A short, printable excerpt of user input, safe to read aloud."""
    short = "".join(c if c.isprintable() else " " for c in text.strip())[:60]
    return short + ("..." if len(text.strip()) > 60 else "")


def not_a_time(text: str) -> NotATimeError:
    return NotATimeError(
        _("I couldn't understand '%(text)s' as a time.") % {"text": snippet(text)},
        hint=HINT_TIME,
    )


def not_a_span(text: str) -> NotATimeError:
    return NotATimeError(
        _("I couldn't understand '%(text)s' as a day or a span of time.") % {"text": snippet(text)},
        hint=HINT_SPAN,
    )


def not_a_duration(text: str) -> NotATimeError:
    return NotATimeError(
        _("I couldn't understand '%(text)s' as a length of time.") % {"text": snippet(text)},
        hint=HINT_DURATION,
    )


def more_than_one(text: str) -> TimeParseError:
    return TimeParseError(
        _("I heard more than one time in '%(text)s'. Which one do you mean?")
        % {"text": snippet(text)},
        hint=HINT_ASK,
    )


def which_of(first: str, second: str, options: tuple) -> AmbiguousTimeError:
    """The question 'Do you mean <first>, or <second>?' with its two readings."""
    return AmbiguousTimeError(
        _("Do you mean %(first)s, or %(second)s?") % {"first": first, "second": second},
        options=options,
    )

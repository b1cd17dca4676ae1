"""Lengths of time: '90 minutes', 'an hour and a half', '1h30', 'PT45M', or bare minutes."""

from __future__ import annotations

import math
import re
from datetime import timedelta

from django.utils.translation import gettext as _

from schedules.timeparse.errors import HINT_DURATION, TimeParseError
from schedules.timeparse.grammar import AMOUNT_PIECE, FILLER, UNIT_MINUTES, quantity

MAX_MINUTES = 24 * 60
_ISO = re.compile(r"p(?:([0-9]+)d)?(?:t(?:([0-9.]+)h)?(?:([0-9.]+)m)?(?:([0-9.]+)s)?)?")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_HOURS_MINUTES = re.compile(
    r"(?:for )?([0-9]+) ?h(?:ours?|rs?)? ?([0-9]{1,2})(?: ?m(?:ins?|inutes?)?)?", re.ASCII
)


def iso_minutes(folded: str) -> float | None:
    """Minutes in an ISO 8601 duration ('pt1h30m', already lowercase), else None."""
    m = _ISO.fullmatch(folded)
    if not m or folded == "p" or folded.endswith("t"):
        return None
    days, hours, minutes, seconds = (float(g or 0) for g in m.groups())
    return days * 1440 + hours * 60 + minutes + seconds / 60


def phrase_minutes(canonical: str, *, bare: bool) -> float | None:
    """Minutes in a canonical duration phrase; None when it isn't one. `bare`: '90' is minutes."""
    if bare and _NUMBER.fullmatch(canonical):
        return float(canonical)
    if m := _HOURS_MINUTES.fullmatch(canonical):
        return int(m[1]) * 60 + int(m[2])
    pieces = AMOUNT_PIECE.findall(canonical)
    rest = AMOUNT_PIECE.sub(" ", canonical).split()
    if not pieces or any(w not in FILLER for w in rest):
        return None
    return sum(quantity(q) * UNIT_MINUTES[u] for q, u in pieces)


def checked(minutes: float) -> timedelta:
    """A length within today's bounds: more than nothing, at most 24 hours."""
    if not math.isfinite(minutes) or minutes <= 0:
        raise TimeParseError(_("A length of time has to be more than zero."), hint=HINT_DURATION)
    if minutes > MAX_MINUTES:
        raise TimeParseError(
            _("That's longer than 24 hours. The longest I can book is 24 hours."),
            hint=HINT_DURATION,
        )
    if round(minutes * 60) == 0:
        raise TimeParseError(_("That's too short to book."), hint=HINT_DURATION)
    return timedelta(seconds=round(minutes * 60))

"""The canonical vocabulary every language's lexicon rewrites into (plain English words, digits)."""

from __future__ import annotations

import re

from schedules.speech import MONTH_NAMES, WEEKDAY_NAMES

WEEKDAYS = {n.lower(): i for i, n in enumerate(WEEKDAY_NAMES)} | {
    "mon": 0, "tue": 1, "tues": 1, "wed": 2, "weds": 2, "thu": 3, "thur": 3, "thurs": 3,
    "fri": 4, "sat": 5, "sun": 6,
}  # fmt: skip
MONTHS = {n.lower(): i + 1 for i, n in enumerate(MONTH_NAMES)} | {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
PARTS = ("morning", "afternoon", "evening", "night")
UNIT_MINUTES = {
    "m": 1, "min": 1, "mins": 1, "minute": 1, "minutes": 1,
    "h": 60, "hr": 60, "hrs": 60, "hour": 60, "hours": 60,
    "d": 1440, "day": 1440, "days": 1440, "week": 10080, "weeks": 10080,
}  # fmt: skip
QUANTITIES = {"a": 1, "an": 1, "one": 1, "a few": 3, "a couple": 2, "a couple of": 2}

# Words that carry no time meaning: hesitations, politeness, "at"/"on" and friends.
FILLER = frozenset((
    "at", "on", "the", "of", "in", "for", "by", "around", "about", "from", "starting", "oclock",
    "and", "please", "sometime", "uh", "uhh", "um", "umm", "er", "erm", "ah", "hmm", "like",
    "sharp", "exactly", "precisely", "roughly", "approximately", "maybe", "ok", "okay", "so",
    "well", "just", "actually", "then", "yeah", "yes", "right", "alright", "lets", "let's", "say",
    "it's", "its", "that's", "it", "i", "guess", "think", "mean", "we", "can", "could", "would",
    "you", "how", "be", "is", "do", "make", "time", "-", "ish",
))  # fmt: skip
ZONE_WORDS = frozenset((
    "utc", "gmt", "est", "edt", "cst", "cdt", "mst", "mdt", "pst", "pdt", "akst", "akdt", "hst",
    "bst", "ist", "cet", "cest", "eet", "eest", "wet", "west", "aest", "aedt", "acst", "acdt",
    "awst", "nzst", "nzdt", "jst", "kst", "sgt", "hkt", "msk",
))  # fmt: skip


def alternation(words) -> str:
    """A regex alternation of `words`, longest first so 'thurs' wins over 'thu'."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


WD = alternation(WEEKDAYS)
MON = alternation(MONTHS)
PART = alternation(PARTS)
# A word quantity needs its space ("an hour"), or "and" would read as "an d(ay)".
QTY = r"(?:(?<![:.0-9])[0-9]+(?:\.[0-9]+)? ?|(?:an?|one|a few|a couple(?: of)?) )"
UNIT = r"(?:minutes?|mins?|m|hours?|hrs?|hr|h|days?|d|weeks?)"
AMOUNT = rf"{QTY}{UNIT}\b(?:(?:,| and)? {QTY}{UNIT}\b)*"
AMOUNT_PIECE = re.compile(rf"\b({QTY})({UNIT})\b", re.ASCII)


def quantity(word: str) -> float:
    """'an' -> 1, 'a couple of' -> 2, '1.5' -> 1.5."""
    word = word.strip()
    return QUANTITIES.get(word) or float(word)


def amount_minutes(amount: str) -> tuple[float, bool]:
    """Minutes in '2 hours and 15 minutes', and whether every unit was days or weeks."""
    pieces = AMOUNT_PIECE.findall(amount)
    minutes = sum(quantity(q) * UNIT_MINUTES[u] for q, u in pieces)
    return minutes, all(UNIT_MINUTES[u] >= 1440 for _, u in pieces)

"""The battery's rows: phrases people (and pass-through LLMs) say, with the answer written by hand.

Each expected value follows the rules in schedules/timeparse/__init__.py and was worked out from
the calendar, not from the parser: a wall time (+ fold for a repeated hour) in the row's zone,
a (start, end) pair of wall times for spans, minutes for lengths, or ASK (a question with its
options), REFUSE (words, no guess) or GAP (a time skipped by DST).
"""

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
SYDNEY = ZoneInfo("Australia/Sydney")
KOLKATA = ZoneInfo("Asia/Kolkata")
ASK, REFUSE, GAP = "ask", "refuse", "gap"

# Wednesday 4 March 2026, 10:00 in New York: four days before clocks go forward (8 March).
NY_NOW = datetime(2026, 3, 4, 10, 0, tzinfo=NY)
# Friday 27 March 2026, 16:00 in Berlin: two days before clocks go forward (29 March).
BERLIN_NOW = datetime(2026, 3, 27, 16, 0, tzinfo=BERLIN)
# Thursday 2 April 2026, 09:00 in Sydney: three days before clocks go back (5 April, 3 -> 2 am).
SYDNEY_NOW = datetime(2026, 4, 2, 9, 0, tzinfo=SYDNEY)
# Monday 12 January 2026, 18:45 in Kolkata (UTC+05:30, no DST).
KOLKATA_NOW = datetime(2026, 1, 12, 18, 45, tzinfo=KOLKATA)


@dataclass(frozen=True)
class Row:
    call: str  # point | end | move | window | duration
    tz: ZoneInfo
    now: datetime
    language: str
    text: str
    expected: object
    context: dict = field(default_factory=dict)


def rows(call, tz, now, language, cases, **context) -> list[Row]:
    return [Row(call, tz, now, language, text, expected, context) for text, expected in cases]


def w(*parts, fold=0):
    """A wall time: (year, month, day, hour, minute[, second]) and its fold."""
    return ("wall", datetime(*parts, fold=fold))


def span(start, end):
    return ("span", datetime(*start), datetime(*end))


def minutes(n):
    return ("minutes", n)

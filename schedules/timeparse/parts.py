"""What a phrase said, piece by piece, before it is resolved against now."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(slots=True)
class Clock:
    """A clock time as said, before am/pm is decided."""

    hour: int
    minute: int = 0
    second: int = 0
    meridiem: str | None = None
    h24: bool = False  # zero-padded ("09:00"), military or 'hours': the 24-hour clock
    marked: bool = False  # had minutes, o'clock, 'h' or 'hours': "0" alone is no time
    hform: bool = False  # "9h30", "9 Uhr": the 24-hour habit, so 7-11 are the morning
    special: str | None = None  # "noon" | "midnight"


@dataclass(slots=True)
class Parts:
    """What the phrase said, before it is resolved against now."""

    now: bool = False
    elapsed: timedelta | None = None
    days: list[tuple[str, date]] = field(default_factory=list)  # (words, date): must agree
    weekday: tuple[int, str] | None = None  # (0-6, "" | this | coming | next | week ...)
    shift_days: int = 0  # "a week from Tuesday": 7
    part: str | None = None
    clock: Clock | None = None
    offset: timedelta | None = None  # an explicit UTC offset said in the phrase
    zone: str | None = None  # a zone abbreviation said ("EST")
    words: list[str] = field(default_factory=list)  # leftovers that are not filler

    def has_day(self) -> bool:
        return bool(self.days or self.weekday)

    def has_time(self) -> bool:
        return self.part is not None or self.clock is not None

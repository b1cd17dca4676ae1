"""Times on pages in one format, 12- or 24-hour as the reader's locale writes them.

The locale is the browser's (Accept-Language); Babel's CLDR data says which clock it uses, so
en-US reads "3:00 PM" and en-GB or de-DE read "15:00", everywhere on every page.
"""

from dataclasses import dataclass
from datetime import datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from django.utils.translation.trans_real import parse_accept_lang_header

from schedules import speech

DEFAULT_HOUR12 = True  # en-US, the language DRAKO's pages are written in
_MAX_HEADER = 500  # a longer Accept-Language is not a browser's


@lru_cache(maxsize=512)
def _locale_hour12(tag: str) -> bool | None:
    try:
        pattern = Locale.parse(tag, sep="-").time_formats["short"].pattern
    except (UnknownLocaleError, ValueError, TypeError, KeyError):
        return None
    return "h" in pattern or "K" in pattern


@lru_cache(maxsize=256)
def hour12_for_languages(accept_language: str) -> bool:
    """Whether the first locale in an Accept-Language header that Babel knows uses a 12-hour
    clock."""
    for tag, _quality in parse_accept_lang_header(accept_language[:_MAX_HEADER]):
        if tag != "*" and (hour12 := _locale_hour12(tag)) is not None:
            return hour12
    return DEFAULT_HOUR12


@dataclass(frozen=True)
class Clock:
    """How one reader's pages write times of day: schedules.speech, on their clock."""

    hour12: bool = DEFAULT_HOUR12

    def time(self, moment: datetime | time) -> str:
        """'3:05 PM' or '15:05'."""
        return speech.clock(moment, hour12=self.hour12)

    def hour(self, hour: int) -> str:
        """An hour line's label: '3 PM' or '15:00'."""
        return self.time(time(hour)).replace(":00 ", " ")

    def range(self, start: datetime, end: datetime, tz: ZoneInfo) -> str:
        """'9:00 - 10:30 AM' or '09:00 - 10:30' (en dash)."""
        return speech.time_range(start, end, tz, hour12=self.hour12)

    def when(self, moment: datetime, tz: ZoneInfo, *, now: datetime) -> str:
        """'today, Thursday, March 7 at 3:00 PM'; the year only when it isn't this one."""
        return speech.describe(moment, tz=tz, now=now, hour12=self.hour12)


def clock_for_request(request) -> Clock:
    """The reader's clock, from the browser's languages; remembered on the request."""
    if not hasattr(request, "_drako_clock"):
        header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
        request._drako_clock = Clock(hour12=hour12_for_languages(header))
    return request._drako_clock

"""Time the time parser on a mixed phrase list; report µs per parse and a ratio to a floor.

    .venv/bin/python -m bench.timeparse_bench [--rounds 60]

The floor is `datetime.fromisoformat` on ISO strings, measured in the same run, so figures from
different machines (or hours: this VM's speed varies) can be compared. Each figure is the best of
`--rounds` short passes over its list, interleaved with the floor's; refusals and questions count
like answers, since a tool call pays for them too. Nothing here is asserted by the tests.
"""

import argparse
import contextlib
import inspect
import time
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import django
from django.conf import settings

# The parser words its errors through Django's gettext, which needs settings and an app registry.
if not settings.configured:
    settings.configure(USE_I18N=True, LANGUAGE_CODE="en-us", INSTALLED_APPS=[])
    django.setup()

from schedules import timeparse

TZ = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=TZ)
ISO = ["2026-03-06T15:00", "2026-03-06T09:30:00", "2026-12-24T18:45", "2026-03-06"]
ENGLISH = [
    "tomorrow at 3pm",
    "next Friday 10:30",
    "Friday at noon",
    "in two hours",
    "March 6 at 3pm",
    "half past three tomorrow",
    "tomorrow at 7",
    "uh, tomorrow at like 3pm please",
    "twenty past six tomorrow",
    "this coming Monday at 1500 hours",
    "blorp",
]
OTHER = [
    ("spanish", "mañana a las tres de la tarde"),
    ("german", "morgen um halb drei"),
    ("french", "demain à 15h30"),
    ("italian", "domani alle 15"),
    ("portuguese", "amanhã às três da tarde"),
]


def _timed(fn: Callable[[], None]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _parser(phrases: list[tuple[str, str]]) -> Callable[[], None]:
    takes_language = "language" in inspect.signature(timeparse.parse_datetime).parameters

    def run() -> None:
        for language, text in phrases:
            extra = {"language": language} if takes_language else {}
            with contextlib.suppress(timeparse.TimeParseError):
                timeparse.parse_datetime(text, tz=TZ, now=NOW, default_hour=9, **extra)

    return run


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--rounds", type=int, default=60)
    opts = args.parse_args()
    iso = [("english", s) for s in ISO]
    lists = {
        "ISO 8601": iso,
        "English phrases": [("english", s) for s in ENGLISH],
        "other languages": OTHER,
        "mixed (all above)": iso + [("english", s) for s in ENGLISH] + OTHER,
    }
    floor_texts = ISO * 50

    def floor() -> None:
        for text in floor_texts:
            datetime.fromisoformat(text)

    runs = {name: _parser(phrases) for name, phrases in lists.items()}
    best = dict.fromkeys(["floor", *lists], float("inf"))
    # Short runs, interleaved, best of many: a busy shared machine preempts some runs, and the
    # floor and the parser should see the same machine.
    for _ in range(opts.rounds):
        best["floor"] = min(best["floor"], _timed(floor) / len(floor_texts))
        for name, run in runs.items():
            best[name] = min(best[name], _timed(run) / len(lists[name]))
    print(f"floor datetime.fromisoformat: {best['floor'] * 1e6:.2f} µs per call")
    for name in lists:
        each = best[name]
        print(f"{name:<20} {each * 1e6:8.1f} µs per parse   ratio {each / best['floor']:7.0f}")


if __name__ == "__main__":
    main()

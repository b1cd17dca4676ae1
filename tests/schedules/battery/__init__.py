"""The battery's rows, assembled from its per-zone and per-language tables (see base.py)."""

from datetime import datetime, time

from tests.schedules.battery.base import (
    BERLIN,
    BERLIN_NOW,
    KOLKATA,
    KOLKATA_NOW,
    NY,
    NY_NOW,
    SYDNEY,
    SYDNEY_NOW,
    Row,
    rows,
)
from tests.schedules.battery.languages import (
    DURATIONS,
    FRENCH_OTHERS,
    FRENCH_POINTS,
    GERMAN_OTHERS,
    GERMAN_POINTS,
    ITALIAN_OTHERS,
    ITALIAN_POINTS,
    MULTILINGUAL,
    PORTUGUESE_OTHERS,
    PORTUGUESE_POINTS,
    SPANISH_OTHERS,
    SPANISH_POINTS,
)
from tests.schedules.battery.new_york import (
    NY_ANCHORED,
    NY_ENDS,
    NY_LATE_ENDS,
    NY_MORNING_MOVES,
    NY_MOVES,
    NY_POINTS,
    NY_WINDOWS,
    NY_WORKDAY_WINDOWS,
)
from tests.schedules.battery.zones import (
    BERLIN_POINTS,
    KOLKATA_OTHERS,
    KOLKATA_POINTS,
    SYDNEY_OTHERS,
    SYDNEY_POINTS,
)


def _others(tz, now, language, table) -> list[Row]:
    found = []
    for call, text, expected, context in table:
        ctx = {k: datetime(*v, tzinfo=tz) for k, v in context.items()}
        if call == "move":
            ctx.setdefault("end", ctx["start"])
        found.append(Row(call, tz, now, language, text, expected, ctx))
    return found


def _at(tz, *parts):
    return datetime(*parts, tzinfo=tz)


ROWS = [
    *rows("point", NY, NY_NOW, "english", NY_POINTS),
    *rows("point", NY, NY_NOW, "english", NY_ANCHORED, anchor=datetime(2026, 3, 11).date()),
    *rows("end", NY, NY_NOW, "english", NY_ENDS, start=_at(NY, 2026, 3, 5, 15)),
    *rows("end", NY, NY_NOW, "english", NY_LATE_ENDS, start=_at(NY, 2026, 3, 5, 23)),
    *rows("move", NY, NY_NOW, "english", NY_MOVES,
          start=_at(NY, 2026, 3, 11, 14), end=_at(NY, 2026, 3, 11, 15)),
    *rows("move", NY, NY_NOW, "english", NY_MORNING_MOVES,
          start=_at(NY, 2026, 3, 11, 10), end=_at(NY, 2026, 3, 11, 11)),
    *rows("window", NY, NY_NOW, "english", NY_WINDOWS),
    *rows("window", NY, NY_NOW, "english", NY_WORKDAY_WINDOWS,
          day_start=time(8, 30), day_end=time(17, 0)),
    *rows("point", KOLKATA, KOLKATA_NOW, "english", KOLKATA_POINTS),
    *_others(KOLKATA, KOLKATA_NOW, "english", KOLKATA_OTHERS),
    *rows("point", SYDNEY, SYDNEY_NOW, "english", SYDNEY_POINTS),
    *_others(SYDNEY, SYDNEY_NOW, "english", SYDNEY_OTHERS),
    *rows("point", BERLIN, BERLIN_NOW, "english", BERLIN_POINTS),
    *rows("point", BERLIN, BERLIN_NOW, "german", GERMAN_POINTS),
    *_others(BERLIN, BERLIN_NOW, "german", GERMAN_OTHERS),
    *rows("point", BERLIN, BERLIN_NOW, "french", FRENCH_POINTS),
    *_others(BERLIN, BERLIN_NOW, "french", FRENCH_OTHERS),
    *rows("point", BERLIN, BERLIN_NOW, "italian", ITALIAN_POINTS),
    *_others(BERLIN, BERLIN_NOW, "italian", ITALIAN_OTHERS),
    *rows("point", NY, NY_NOW, "spanish", SPANISH_POINTS),
    *_others(NY, NY_NOW, "spanish", SPANISH_OTHERS),
    *rows("point", NY, NY_NOW, "portuguese", PORTUGUESE_POINTS),
    *_others(NY, NY_NOW, "portuguese", PORTUGUESE_OTHERS),
    *rows("point", NY, NY_NOW, "multilingual", MULTILINGUAL),
    *(Row("duration", NY, NY_NOW, lang, text, exp) for lang, text, exp in DURATIONS),
]  # fmt: skip

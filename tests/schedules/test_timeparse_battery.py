"""A battery of spoken and written times across four zones, DST and six languages.

Every row's answer was written by hand (tests/schedules/battery/): the parser must
give exactly that instant or span, or exactly that kind of question or refusal.
"""

from datetime import UTC, datetime

import pytest

from schedules.timeparse import (
    AmbiguousTimeError,
    NonexistentTimeError,
    TimeParseError,
    parse_datetime,
    parse_duration,
    parse_end,
    parse_move,
    parse_window,
)
from tests.schedules.battery import ROWS
from tests.schedules.battery.base import ASK, GAP, KOLKATA, REFUSE, SYDNEY, Row

# Words for the LLM belong in `hint`; the person never hears tool names or instructions.
LLM_WORDS = ("list_schedule_events", "add_schedule_event", "update_schedule", "ISO", "LLM", "Send")


def _call(row: Row):
    ctx, common = row.context, {"tz": row.tz, "now": row.now, "language": row.language}
    if row.call == "point":
        return parse_datetime(row.text, anchor=ctx.get("anchor"), **common)
    if row.call == "end":
        return parse_end(row.text, start=ctx["start"], day_end=ctx.get("day_end"), **common)
    if row.call == "move":
        return parse_move(row.text, start=ctx["start"], end=ctx["end"], **common)
    if row.call == "window":
        return parse_window(
            row.text, day_start=ctx.get("day_start"), day_end=ctx.get("day_end"), **common
        )
    return parse_duration(row.text, language=row.language)


def _aware(row: Row, wall: datetime) -> datetime:
    """The expected instant, from zoneinfo alone (fold picks the first or second 1:30)."""
    return wall.replace(tzinfo=row.tz)


def _check_answer(row: Row, result) -> None:
    kind = row.expected[0]
    if kind == "minutes":
        assert result.total_seconds() == row.expected[1] * 60
        return
    if kind == "span":
        start, end = (_aware(row, wall) for wall in row.expected[1:])
        assert result == (start, end)
        assert result[0].utcoffset() == start.utcoffset()
        assert result[1].utcoffset() == end.utcoffset()
        return
    expected = _aware(row, row.expected[1])
    assert result.astimezone(UTC) == expected.astimezone(UTC)
    assert result.replace(tzinfo=None) == expected.replace(tzinfo=None, fold=0)
    assert result.utcoffset() == expected.utcoffset()
    assert result.tzinfo == row.tz


def _check_refusal(row: Row, err: TimeParseError) -> None:
    assert err.message and str(err) == err.message
    assert not any(word in err.message for word in LLM_WORDS), err.message
    if row.expected == ASK:
        assert isinstance(err, AmbiguousTimeError), err.message
        assert err.message.endswith("?") and len(err.options) >= 2
    elif row.expected == GAP:
        assert isinstance(err, NonexistentTimeError), err.message
        assert err.suggestion is not None
    else:
        assert not isinstance(err, AmbiguousTimeError | NonexistentTimeError), err.message


@pytest.mark.parametrize(
    "row", ROWS, ids=[f"{r.call}-{r.language}-{r.tz.key}-{r.text}" for r in ROWS]
)
def test_battery_row_gets_exactly_its_answer(row):
    if row.expected in (ASK, REFUSE, GAP):
        with pytest.raises(TimeParseError) as err:
            result = _call(row)
            pytest.fail(f"expected {row.expected}, got {result}")
        _check_refusal(row, err.value)
    else:
        _check_answer(row, _call(row))


def test_battery_covers_what_issue_12_asks_for():
    assert len(ROWS) >= 300
    assert {r.tz for r in ROWS} >= {KOLKATA, SYDNEY} and len({r.tz for r in ROWS}) == 4
    assert {r.language for r in ROWS} >= {
        "english", "spanish", "german", "french", "portuguese", "italian", "multilingual",
    }  # fmt: skip
    assert {r.call for r in ROWS} == {"point", "end", "move", "window", "duration"}
    assert sum(r.expected == GAP for r in ROWS) >= 5
    assert sum(r.expected == ASK for r in ROWS) >= 30

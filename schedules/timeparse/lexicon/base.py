"""What a language's lexicon is: ordered phrase rules plus a table of single words."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from schedules.timeparse.grammar import alternation

Replacement = str | Callable[[re.Match[str]], str]
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Lexicon:
    """One language's rules; `day_first` reads '3/6' as 3 June."""

    name: str
    rules: tuple[tuple[re.Pattern[str], Replacement], ...]
    words: Mapping[str, str]
    words_re: re.Pattern[str] | None
    day_first: bool

    def rewrite(self, s: str) -> str:
        """Apply the phrase rules in order, then the single-word table."""
        for pattern, replacement in self.rules:
            s = pattern.sub(replacement, s)
        if self.words_re is not None:
            s = self.words_re.sub(lambda m: self.words[m[0]], s)
        return _SPACES.sub(" ", s).strip()


def build(
    name: str,
    rules: list[tuple[str, Replacement]],
    words: Mapping[str, str],
    *,
    day_first: bool = True,
) -> Lexicon:
    """Compile a language's tables once, at import."""
    compiled = tuple((re.compile(p, re.ASCII), r) for p, r in rules)
    words_re = re.compile(rf"\b(?:{alternation(words)})\b", re.ASCII) if words else None
    return Lexicon(name, compiled, dict(words), words_re, day_first)


def hour_word(table: Mapping[str, int]) -> str:
    """Regex for an hour said as digits or as one of `table`'s number words."""
    return rf"(?:1[0-2]|0?[0-9]|{alternation(table)})"


def hour_value(word: str, table: Mapping[str, int]) -> int:
    return table[word] if word in table else int(word)


def number(word: str, table: Mapping[str, int]) -> int:
    """A number said as digits or as one of `table`'s words."""
    return table[word] if word in table else int(word)


def number_re(table: Mapping[str, int]) -> str:
    """Regex for a number said as digits or as one of `table`'s words."""
    return rf"(?:[0-9]{{1,2}}|{alternation(table)})"


def clock_at(hour: int, minutes: int) -> str:
    """'3:30' — unpadded, so the am/pm rules still apply to it."""
    return f"{hour}:{minutes:02d}"


def clock_before(hour: int, minutes: int, meridiem: str | None = None) -> str | None:
    """'<minutes> to <hour>' as a clock: 10 to 5 -> '4:50', 15 to 1 pm -> '12:45 pm'."""
    if not 1 <= minutes <= 30 or not 1 <= hour <= 12:
        return None
    if hour == 12 and meridiem == "am":
        return None  # before 12 am is the previous day: too odd to rewrite, left to refuse
    if meridiem and hour == 12:
        meridiem = "am"  # a quarter to 12 pm is 11:45 am
    said = clock_at(hour - 1 or 12, 60 - minutes)
    return f"{said} {meridiem}" if meridiem else said


MONTH_WORDS = ("january", "february", "march", "april", "may", "june", "july", "august",
               "september", "october", "november", "december")  # fmt: skip


def _dotted(m: re.Match[str]) -> str:
    day, month = int(m[1]), int(m[2])
    if not 1 <= month <= 12:
        return m[0]
    return f"{day} {MONTH_WORDS[month - 1]}" + (f" {m[3]}" if m[3] else "")


# "03.06.2026" or "3.6." is a date (day first) where people write dates with dots; it must be
# read before punctuation is tidied away. A decimal comma ("1,5 Stunden") becomes a point.
DOTTED_DATE = (r"\b([0-9]{1,2})\.([0-9]{1,2})\.(?:([0-9]{4})\b)?", _dotted)
DECIMAL_COMMA = (r"\b([0-9]+),([0-9]+)\b", r"\1.\2")

"""What a language's lexicon is: ordered phrase rules plus a table of single words."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from schedules.timeparse.grammar import alternation

Replacement = str | Callable[[re.Match[str]], str]
Needs = tuple[str, ...] | None
_SPACES = re.compile(r"\s+")
_TOKENS = re.compile(r"[a-z0-9'-]+")
_SYNTAX = re.compile(r"\\[a-zA-Z]|\[[^\]]*\]|\{[0-9,]+\}")
_LETTERS = re.compile(r"[a-z]+")


def _needs(pattern: str) -> Needs:
    """Every run of letters written in a rule's regex (escapes and classes aside).

    A match of the rule contains at least one of them, so a text holding none can skip the
    rule; a rule with no letters at all (dates in digits) gets None and is always tried.
    """
    runs = _LETTERS.findall(_SYNTAX.sub(" ", pattern))
    return tuple(sorted(set(runs))) or None


@dataclass(frozen=True)
class Lexicon:
    """One language's rules; `day_first` reads '3/6' as 3 June."""

    name: str
    rules: tuple[tuple[re.Pattern[str], Replacement, Needs], ...]
    loose: re.Pattern[str] | None  # all rules without `needs`, to rule them out in one search
    words: Mapping[str, str]
    words_re: re.Pattern[str] | None
    day_first: bool

    def rewrite(self, s: str) -> str:
        """Apply the phrase rules in order, then the single-word table.

        A rule runs only when the text holds one of its `needs` substrings (far cheaper than a
        search); rules without `needs` are first ruled out together by one search.
        """
        original, checked, loose = s, None, False
        for pattern, replacement, needs in self.rules:
            if needs is None:
                if checked is not s:
                    checked, loose = s, self.loose.search(s) is not None
                if not loose:
                    continue
            else:
                for word in needs:
                    if word in s:
                        break
                else:
                    continue
            s = pattern.sub(replacement, s)
        if self.words_re is not None and not self.words.keys().isdisjoint(_TOKENS.findall(s)):
            s = self.words_re.sub(lambda m: self.words[m[0]], s)
        return s if s is original else _SPACES.sub(" ", s).strip()


def build(
    name: str,
    rules: list[tuple],
    words: Mapping[str, str],
    *,
    day_first: bool = True,
) -> Lexicon:
    """Compile a language's tables once, at import. A rule is (regex, replacement[, needs])."""
    compiled = tuple(
        (re.compile(rule[0], re.ASCII), rule[1], rule[2] if len(rule) > 2 else _needs(rule[0]))
        for rule in rules
    )
    loose = [rule[0] for rule, (_, _, needs) in zip(rules, compiled, strict=True) if not needs]
    loose_re = re.compile("|".join(f"(?:{p})" for p in loose), re.ASCII) if loose else None
    words_re = re.compile(rf"\b(?:{alternation(words)})\b", re.ASCII) if words else None
    return Lexicon(name, compiled, loose_re, dict(words), words_re, day_first)


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


WEEKDAY_WORDS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def calendar_words(weekdays: Sequence[str], months: Sequence[str]) -> dict[str, str]:
    """A language's weekday and month names (accents folded) mapped to the English ones."""
    return dict(zip(weekdays, WEEKDAY_WORDS, strict=True)) | dict(
        zip(months, MONTH_WORDS, strict=True)
    )


def reader(table: Mapping[str, int]) -> Callable[[str], int]:
    """number() bound to one language's number words."""
    return lambda word: number(word, table)


def clock_rules(
    table: Mapping[str, int],
    *,
    joined: str,
    half: str,
    quarter: str,
    minus: str | None,
    not_before: str,
) -> list[tuple]:
    """'tres y media', 'tre e un quarto', 'tres menos cuarto', 'tres y veinte' as clock times.

    `joined` is the word between hour and minutes; `not_before` what may not follow the
    minutes ("dos horas y media" is a length, read by an earlier rule).
    """
    n_re, n = number_re(table), reader(table)
    rules = [
        (rf"\b({n_re}) {joined} {half}\b", lambda m: clock_at(n(m[1]), 30)),
        (rf"\b({n_re}) {joined} (?:un |um )?{quarter}\b", lambda m: clock_at(n(m[1]), 15)),
    ]
    if minus:
        rules += [
            (rf"\b({n_re}) {minus} (?:un )?{quarter}\b",
             lambda m: clock_before(n(m[1]), 15) or m[0]),
            (rf"\b({n_re}) {minus} ({n_re})\b",
             lambda m: clock_before(n(m[1]), n(m[2])) or m[0]),
        ]  # fmt: skip
    rules.append(
        (rf"\b({n_re}) {joined} ({n_re})\b(?! {not_before})",
         lambda m: clock_at(n(m[1]), n(m[2])) if 1 <= n(m[1]) <= 23 and n(m[2]) < 60 else m[0])
    )  # fmt: skip
    return rules

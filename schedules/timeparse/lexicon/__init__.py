"""Word tables per language that rewrite a phrase into the canonical English time words.

A foreign lexicon runs first on the folded text (phrase rules in order, so 'pasado mañana' is
rewritten before 'mañana'), then every phrase goes through the English lexicon, so English words
and digits work in any language ("mañana at 3pm"). These are parsing tables, not translations
of DRAKO's own sentences. The language is Tavus's full name; "multilingual" tries them all, and
a language without a table (e.g. "dutch") reads English and ISO 8601 only.
"""

from __future__ import annotations

from collections.abc import Callable

from schedules.timeparse.errors import (
    AmbiguousTimeError,
    NotATimeError,
    TimeParseError,
    which_of,
)
from schedules.timeparse.lexicon import english, french, german, italian, portuguese, spanish
from schedules.timeparse.lexicon.base import Lexicon
from schedules.timeparse.text import fold, tidy

ENGLISH = english.LEXICON
FOREIGN = {m.LEXICON.name: m.LEXICON for m in (spanish, german, french, portuguese, italian)}
_CODES = {"en": "english", "es": "spanish", "de": "german", "fr": "french", "pt": "portuguese",
          "it": "italian"}  # fmt: skip


def languages(language: str) -> tuple[Lexicon, ...]:
    """The lexicons to try for a Tavus language name ('english', 'german', 'multilingual')."""
    name = str(language).strip().lower()
    name = _CODES.get(name, name)
    if name == "multilingual":
        return (ENGLISH, *FOREIGN.values())
    return (FOREIGN[name],) if name in FOREIGN else (ENGLISH,)


def canonical(text: str, lexicon: Lexicon) -> str:
    """The phrase in canonical English time words (lowercase, digits, no stray punctuation)."""
    s = fold(text)
    if lexicon is not ENGLISH:
        s = lexicon.rewrite(s)
    return english.rewrite(tidy(s))


def understand[T](
    text: str,
    language: str,
    parse: Callable[[str, Lexicon], T],
    speak: Callable[[T], str],
) -> T:
    """`parse(canonical, lexicon)` in each of the language's lexicons: its one answer, or a
    question when two languages read the phrase differently ("3/6" in English and German)."""
    lexicons = languages(language)
    if len(lexicons) == 1:
        return parse(canonical(text, lexicons[0]), lexicons[0])
    tried: dict[str, T | TimeParseError] = {}
    for lexicon in lexicons:
        c = canonical(text, lexicon)
        if c not in tried:
            try:
                tried[c] = parse(c, lexicon)
            except TimeParseError as exc:
                tried[c] = exc
    answers = list(dict.fromkeys(a for a in tried.values() if not isinstance(a, TimeParseError)))
    errors = [e for e in tried.values() if isinstance(e, TimeParseError)]
    if len(answers) > 1:
        raise which_of(speak(answers[0]), speak(answers[1]), tuple(answers[:2]))
    # One language's question stands even if another answers: "3/6" is June 3 in German only.
    question = next((e for e in errors if isinstance(e, AmbiguousTimeError)), None)
    if question is not None:
        raise question
    if answers:
        return answers[0]
    raise next((e for e in errors if not isinstance(e, NotATimeError)), errors[0])

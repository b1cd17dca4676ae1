"""Text before it is parsed: checked, folded to lowercase ASCII-ish, punctuation tidied."""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

from schedules.timeparse.errors import HINT_TIME, TimeParseError

MAX_TEXT = 200

_FOLD = str.maketrans(
    {
        "\u00df": "ss",
        "\u2019": "'",
        "\u2018": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u00ba": "",  # Portuguese/Spanish ordinal sign: "6º"
        "\u00aa": "",
    }
)
_COMBINING = re.compile("[\u0300-\u036f]")
_MERIDIEM = re.compile(r"\b([ap])\.m\b\.?|\b([ap])\. m\b\.?", re.ASCII)
# Dots and colons matter between digits (3:30, 3.30, 03.06.2026); other punctuation is noise.
_PUNCT = re.compile(
    r"[,;!?()\"\[\]{}*_~|]|\.(?![0-9])|(?<![0-9])\.|:(?![0-9])|(?<![0-9]):|'(?![a-z])|(?<![a-z])'"
)
_SPACES = re.compile(r"\s+")


def check_text(text: object) -> str:
    """Stripped text, or a TimeParseError for non-text, empty or over-long input."""
    if not isinstance(text, str):
        raise TimeParseError(_("I didn't get a time."), hint=HINT_TIME)
    s = " ".join(text.split())
    if not s:
        raise TimeParseError(_("I didn't get a time."), hint=HINT_TIME)
    if len(s) > MAX_TEXT:
        raise TimeParseError(_("That's too long to be a time."), hint=HINT_TIME)
    return s


def fold(s: str) -> str:
    """Lowercase without accents ('mañana' -> 'manana'); a.m./p.m. -> am/pm; '@' -> at."""
    s = s.lower().translate(_FOLD)
    if not s.isascii():
        s = _COMBINING.sub("", unicodedata.normalize("NFKD", s))
    if "." in s:
        s = _MERIDIEM.sub(lambda m: (m[1] or m[2]) + "m", s)
    return s.replace("@", " at ")


def tidy(s: str) -> str:
    """Drop punctuation that carries no meaning and collapse spaces."""
    return _SPACES.sub(" ", _PUNCT.sub(" ", s)).strip()

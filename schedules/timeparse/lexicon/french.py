"""French time words ('demain à 15h', 'lundi prochain à 9h30', 'trois heures et demie')."""

from __future__ import annotations

from schedules.timeparse.lexicon.base import (
    DECIMAL_COMMA,
    DOTTED_DATE,
    build,
    calendar_words,
    clock_at,
    clock_before,
    number,
    number_re,
)

NUMBERS = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
           "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13,
           "quatorze": 14, "quinze": 15, "seize": 16, "dix-sept": 17, "dix-huit": 18,
           "dix-neuf": 19, "vingt": 20, "vingt et un": 21, "vingt-deux": 22, "vingt-trois": 23,
           "vingt-cinq": 25, "trente": 30, "quarante": 40, "quarante-cinq": 45,
           "cinquante": 50, "quatre-vingt-dix": 90}  # fmt: skip
N = number_re(NUMBERS)
H = rf"({N}|midi|minuit)"
WD = "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
_SPECIAL = {"midi": 12, "minuit": 0}
CLOCK_CUE = r"(?:a|vers|jusqu'? ?a|jusqu'? ?au|de|des|entre|et|avant|apres) "


def _h(word: str) -> int:
    return _SPECIAL[word] if word in _SPECIAL else number(word, NUMBERS)


def _at(hour: int, minutes: int) -> str:
    """Midi and minuit are on the 24-hour clock; other hours follow the am/pm rules."""
    return f"{hour:02d}:{minutes:02d}" if hour in (0, 12) else clock_at(hour, minutes)


def _digits(word: str) -> str:
    """The hour as written ('09' keeps its zero: the 24-hour clock), or a number word's value."""
    return word if word.isdigit() else str(number(word, NUMBERS))


def _before(word: str, minutes: int) -> str | None:
    """'midi moins le quart' is 11:45 am, 'minuit moins dix' 23:50."""
    if word in _SPECIAL:
        return f"{(_SPECIAL[word] or 24) - 1:02d}:{60 - minutes:02d}" if minutes <= 30 else None
    return clock_before(number(word, NUMBERS), minutes)


RULES = [
    DOTTED_DATE,
    DECIMAL_COMMA,
    (r"\b1er\b", "1st"),
    (r"\bapres[- ]demain\b", "day after tomorrow"),
    (r"\baujourd'?hui\b", "today"),
    (r"\b(?:ce soir|cette nuit)\b", "tonight"),
    (r"\bce matin\b", "this morning"),
    (r"\bcet apres[- ]midi\b", "this afternoon"),
    (r"\b(?:du|le) matin\b", "in the morning"),
    (r"\b(?:de l'? ?|l'? ?)?apres[- ]midi\b", "in the afternoon"),
    (r"\b(?:du|le) soir\b", "in the evening"),
    (r"\b(?:de )?la nuit\b", "at night"),
    (r"\b(?:une |1 )?demi[- ]heure\b", "30 minutes"),
    (r"\b(?:un )?quart d'heure\b", "15 minutes"),
    (r"\btrois quarts d'heure\b", "45 minutes"),
    # "trois heures et demie" is a clock after "à" (or with midi/minuit), else a length.
    (rf"\b({CLOCK_CUE}){H}(?: heures?)? et demie?\b", lambda m: m[1] + _at(_h(m[2]), 30)),
    (r"\b(midi|minuit) et demie?\b", lambda m: _at(_h(m[1]), 30)),
    (rf"\b({N}) heures? et demie\b", lambda m: f"{_h(m[1])}.5 hours"),
    (rf"\b{H}(?: heures?)? et quart\b", lambda m: _at(_h(m[1]), 15)),
    (rf"\b{H}(?: heures?)? moins (?:le )?quart\b", lambda m: _before(m[1], 15) or m[0]),
    (rf"\b{H}(?: heures?)? moins ({N})\b",
     lambda m: _before(m[1], number(m[2], NUMBERS)) or m[0]),
    (rf"\b({N}) ?h(?:eures?)? ?([0-5][0-9]|{N})\b(?! ?(?:minutes?|heures?))",
     lambda m: f"{_digits(m[1])}h{number(m[2], NUMBERS):02d}"),
    (rf"\b({N}) heures?\b", lambda m: f"{_digits(m[1])}h"),
    (r"\bmidi\b", "noon"),
    (r"\bminuit\b", "midnight"),
    (rf"\b({WD}) (?:prochain|qui vient)\b", r"next \1"),
    (rf"\b({WD}) de la semaine prochaine\b", r"\1 next week"),
    (r"\bla semaine prochaine\b", "next week"),
    (rf"\bce ({WD})\b", r"this \1"),
    (r"\bcette semaine\b", "this week"),
    (r"\bce week[- ]?end\b", "this weekend"),
    (r"\ble week[- ]?end prochain\b", "next weekend"),
    (r"\bce mois(?:[- ]ci)?\b", "this month"),
    (r"\ble mois prochain\b", "next month"),
    (r"\bjusqu'? ?(?:a|au) ", "till "),
    (r"\ba partir de\b", "from"),
    (r"\bplus tard\b", "later"),
    (r"\bplus tot\b", "earlier"),
    (r"\ba la meme heure\b|\bmeme heure\b", "same time"),
    (r"\bs'il (?:vous|te) plait\b", "please"),
    (rf"\b(?:a|vers) (?=[0-9]|noon|midnight|(?:{N})\b)", "at "),
    (r"\b(?:l'|d')", ""),
]  # fmt: skip
WORDS = {w: str(n) for w, n in NUMBERS.items() if " " not in w} | calendar_words(
    ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    ("janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre",
     "octobre", "novembre", "decembre")
) | {
    "minute": "minute", "jour": "day", "jours": "days", "semaine": "week",
    "semaines": "weeks", "matin": "morning", "soir": "evening", "nuit": "night",
    "demain": "tomorrow", "hier": "yesterday", "maintenant": "now",
    "dans": "in", "pendant": "for", "pour": "for", "durant": "for", "et": "and",
    "vers": "around", "environ": "around", "pile": "sharp", "le": "", "la": "", "les": "",
    "de": "", "du": "", "des": "", "l": "", "euh": "", "heu": "", "bon": "", "alors": "",
    "donc": "",
    "entre": "between", "partir": "from", "apres": "later", "avant": "earlier",
}  # fmt: skip
LEXICON = build("french", RULES, WORDS)

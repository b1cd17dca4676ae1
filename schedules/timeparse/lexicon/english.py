"""English: number words, clock idioms and spoken filler, rewritten into canonical words.

Every other language's output also passes through here. Choices made here:
* "half three" is the British 3:30 (Americans don't say it, so English has no other reading;
  German "halb drei" is 2:30 and is rewritten by the German lexicon first).
* "ten to five" is 4:50 only when the minutes are words or say "minutes": "10 to 5" in digits
  is as likely a span (10 until 5), so it is left for the range or end grammar.
* "3ish" is 3: it is what people book ("around 3" is accepted the same way).
"""

from __future__ import annotations

import re

from schedules.timeparse.lexicon.base import build, clock_before

UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen"]  # fmt: skip
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "ninety": 90}
ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
            "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
            "seventeenth", "eighteenth", "nineteenth", "twentieth"]  # fmt: skip
NUMBERS = {w: i for i, w in enumerate(UNITS)} | TENS
HOUR = r"(1[0-2]|0?[1-9])"
MER = r"(?: ?(am|pm))?"
_ORD_UNITS = {w: i + 1 for i, w in enumerate(ORDINALS[:9])}
_WORD_MINUTES = {"five": 5, "ten": 10, "twenty": 20, "twenty five": 25, "twenty-five": 25}
_WORD_HOURS = {w: i for i, w in enumerate(UNITS[:13])}
_REF = r"(?: (?:it|that|this|them|(?:the|my|our) [a-z]+))?"
_MOVES = ("bring", "pull", "move", "push", "bump", "put", "set")
_BEFORE = (" to ", " till ", " before ", " of ")
_COMMANDS = ("move", "push", "shift", "change", "reschedule", "put", "set", "make", "book",
             "schedule", "bump", "switch", "slide")  # fmt: skip


def _suffix(n: int) -> str:
    return "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def _ordinal(n: int) -> str:
    return f"{n}{_suffix(n)}"


def _words_to(m: re.Match[str]) -> str:
    hour = _WORD_HOURS.get(m[2]) if m[2] in _WORD_HOURS else int(m[2])
    return clock_before(hour, _WORD_MINUTES[m[1]], m[3]) or m[0]


def _past(m: re.Match[str]) -> str:
    minutes = {"quarter": 15, "half": 30}.get(m[1]) or int(m[1])
    if not 1 <= minutes <= 30:
        return m[0]
    return f"{int(m[2])}:{minutes:02d}" + (f" {m[3]}" if m[3] else "")


def _to(m: re.Match[str]) -> str:
    minutes = 15 if m[1] == "quarter" else int(m[1])
    return clock_before(int(m[2]), minutes, m[3]) or m[0]


def _hundred(m: re.Match[str]) -> str:
    hour = int(m[1])
    return f"{hour:02d}00 hours" if hour <= 23 else m[0]


RULES = [
    (r"\b(?:til|till|until)\b", "till", ("til",)),
    (r"\bo ?'? ?clock\b", "oclock", ("clock",)),
    (r"\b(?:tmrw|tmr|tmrow|tmw|tomorow|tommorow|tommorrow|tomorro|2morrow|2moro)\b", "tomorrow",
     ("tm", "tomorow", "tommo", "tomorro ", "2mo")),
    (r"\btonite\b", "tonight", ("tonite",)),
    (r"\b(?:a |one )?fortnight\b", "2 weeks", ("fortnight",)),
    # Directions of a move, before the command words that carry them are dropped.
    (rf"\b(?:bring|pull|move|push|bump){_REF} (?:forward|up|in) to\b", "move to", _MOVES),
    (rf"\b(?:bring|pull){_REF} (?:forward|in)\b", "earlier", _MOVES),
    (rf"\b(?:move|push|bump){_REF} up\b", "earlier", _MOVES),
    (rf"\b(?:push|move|put|bump|set){_REF} (?:back|out)\b(?! to\b)", "later", _MOVES),
    (rf"\b(?:delay|postpone){_REF}(?: by)?\b", "later", ("delay", "postpone")),
    (rf"\b(five|ten|twenty[- ]five|twenty) (?:minutes )?(?:to|till|before|of) "
     rf"({'|'.join(UNITS[1:13])}|1[0-2]|0?[1-9]){MER}\b", _words_to, _BEFORE),
    (r"\b(twenty|thirty)[- ](first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)\b",
     lambda m: _ordinal(TENS[m[1]] + _ORD_UNITS[m[2]]), ("twenty", "thirty")),
    (r"\b(twenty|thirty|forty|fifty)[- ](one|two|three|four|five|six|seven|eight|nine)\b",
     lambda m: str(TENS[m[1]] + NUMBERS[m[2]]), ("twenty", "thirty", "forty", "fifty")),
    (r"\b(the|jan|january|feb|february|mar|march|apr|april|may|jun|june|jul|july|aug|august"
     r"|sep|sept|september|oct|october|nov|november|dec|december) second\b", r"\1 2nd",
     ("second",)),
]  # fmt: skip
# After number words became digits:
LATE_RULES = [
    (r"\b(?:an? |1 )?hour and a half\b", "90 minutes", ("and a half",)),
    (r"\b(?:an? |1 )?half (?:an? )?hour\b", "30 minutes", ("half",)),
    (r"\b(?:a |1 )?quarter (?:of )?an? hour\b", "15 minutes", ("quarter",)),
    (r"\b3 quarters of an hour\b", "45 minutes", ("quarters",)),
    (r"\b([0-9]+) and a half (hours?|days?|weeks?|minutes?)\b", r"\1.5 \2", ("and a half",)),
    (r"\b([0-9]+) (hours?|days?|weeks?) and a half\b", r"\1.5 \2", ("and a half",)),
    (rf"\b(?:a )?(quarter|half|[0-9]{{1,2}})(?: minutes?)? (?:past|after) {HOUR}{MER}\b", _past,
     ("past", "after")),
    (rf"\b(?:a )?(quarter|[0-9]{{1,2}}(?= minutes?))(?: minutes?)? (?:to|till|before|of) "
     rf"{HOUR}{MER}\b", _to, _BEFORE),
    (rf"\bhalf {HOUR}\b(?! ?(?:hours?|hrs?|h\b|minutes?|mins?|days?|weeks?|and\b))", r"\1:30",
     ("half",)),
    (r"\b(1[0-2]|[1-9]) (?:oh|o) ([1-9])\b", r"\1:0\2", (" oh ", " o ")),
    (r"\b(?:(?:oh|zero|0) )?([0-9]{1,2}) hundred(?: (?:hours|hrs|h))?\b", _hundred,
     ("hundred",)),
    (r"\b(0?[0-9]|1[0-9]|2[0-3]) ([0-5][0-9]) (?:hours|hrs)\b",
     lambda m: f"{int(m[1]):02d}:{m[2]}", (" hours", " hrs")),
    (r"\b([0-9]{1,2}(?::[0-9]{2})?) ?-?ish\b", r"\1", ("ish",)),
    (r"\b([0-9]{1,2}(?::[0-9]{2})?)([ap])\b", r"\1 \2m"),
    (r"\b(?:thanks|thank you|cheers)\b", "", ("thank", "cheers")),
    # A spoken command before the time ("ok can you move it to 4"): only the time matters.
    (r"^(?:(?:ok|okay|so|well|uh|um|hmm|yeah|yes|right|alright|please|and|then|actually|no"
     r"|maybe|hey|oh) )*(?:(?:can|could|would|will) you )?(?:please )?"
     r"(?:(?:let's|lets|let us|i want to|i'd like to|i would like to|we need to|i need to) )?"
     rf"(?:move|push|shift|change|reschedule|put|set|make|book|schedule|bump|switch|slide)"
     rf"{_REF}(?: (?:over|back|forward|up|out) to| to| for)?\b", "", _COMMANDS),
]  # fmt: skip

WORDS = {w: str(n) for w, n in NUMBERS.items()} | {
    w: _ordinal(i + 1) for i, w in enumerate(ORDINALS) if w != "second"
}
LEXICON = build("english", RULES, WORDS, day_first=False)
LATE = build("english-late", LATE_RULES, {}, day_first=False)


def rewrite(s: str) -> str:
    """Canonical English: idioms, then number words as digits, then clock and duration forms."""
    return LATE.rewrite(LEXICON.rewrite(s))

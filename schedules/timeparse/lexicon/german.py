"""German time words ('morgen um 15 Uhr', 'halb drei' = 2:30, 'Viertel nach drei')."""

from __future__ import annotations

import re

from schedules.timeparse.lexicon.base import (
    DECIMAL_COMMA,
    DOTTED_DATE,
    build,
    calendar_words,
    clock_at,
    clock_before,
    number_re,
    reader,
)

NUMBERS = {"eins": 1, "ein": 1, "eine": 1, "einer": 1, "einen": 1, "einem": 1, "zwei": 2,
           "zwo": 2, "drei": 3, "vier": 4, "funf": 5, "fuenf": 5, "sechs": 6, "sieben": 7,
           "acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwolf": 12, "zwoelf": 12,
           "dreizehn": 13, "vierzehn": 14, "funfzehn": 15, "fuenfzehn": 15, "sechzehn": 16,
           "siebzehn": 17, "achtzehn": 18, "neunzehn": 19, "zwanzig": 20, "einundzwanzig": 21,
           "zweiundzwanzig": 22, "dreiundzwanzig": 23, "funfundzwanzig": 25,
           "fuenfundzwanzig": 25, "dreissig": 30, "vierzig": 40, "funfundvierzig": 45,
           "fuenfundvierzig": 45, "funfzig": 50, "fuenfzig": 50, "neunzig": 90}  # fmt: skip
N = number_re(NUMBERS)
WD = "montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag"
MON = "januar|janner|jaenner|februar|marz|maerz|april|mai|juni|juli|august|september" \
      "|oktober|november|dezember"  # fmt: skip
NEXT = r"(?:nachste[nrs]?|naechste[nrs]?|kommende[nrs]?)"


_n = reader(NUMBERS)


def _uhr(m: re.Match[str]) -> str:
    """'15 Uhr 30', '15:30 Uhr' -> '15h30'; '9 Uhr' -> '9h' (the 24-hour habit: 7-11 am)."""
    if m[2]:
        return f" {_n(m[1])}h{m[2]} "
    if ":" in m[1] or "." in m[1]:
        hour, minutes = m[1].replace(".", ":").split(":")
        return f" {hour}h{minutes} "
    return f" {_n(m[1])}h "


RULES = [
    DOTTED_DATE,
    DECIMAL_COMMA,
    (rf"\bam ([0-9]{{1,2}})\.(?! ?(?:{MON}|[0-9]))", r"on the \1th"),
    (r"\b(?:ubermorgen|uebermorgen)\b", "day after tomorrow"),
    (r"\bheute (?:morgen|fruh|frueh|vormittag)\b", "this morning"),
    (r"\bheute nachmittag\b", "this afternoon"),
    (r"\bheute (?:abend|nacht)\b", "tonight"),
    (r"\bmorgen (?:fruh|frueh)\b", "tomorrow morning"),
    (r"\bmorgen (vormittag|nachmittag|abend|nacht)\b", r"tomorrow \1"),
    (r"\b(?:am|in der) (?:morgen|fruh|frueh)\b", "in the morning"),
    (r"\b(?:morgens|vormittags|fruh|frueh)\b", "in the morning"),
    (r"\bnachmittags\b", "in the afternoon"),
    (r"\babends\b", "in the evening"),
    (r"\bnachts\b", "at night"),
    (r"\bmorgen\b", "tomorrow"),
    (r"\b(?:um )?12(?: uhr)? mittags?\b", "noon"),
    (r"\b(?:zu |am )?mittags?\b", "noon"),
    (r"\bmitternacht\b", "midnight"),
    (r"\b(?:eineinhalb|anderthalb) stunden\b", "90 minutes"),
    (r"\b(?:eine[rn]? )?halben? stunde\b", "30 minutes"),
    (r"\b(?:eine[rn]? )?viertelstunde\b", "15 minutes"),
    (rf"\b({N}) nach halb ({N})\b", lambda m: clock_at(_n(m[2]) - 1 or 12, 30 + _n(m[1]))
     if _n(m[1]) < 30 and 1 <= _n(m[2]) <= 12 else m[0]),
    (rf"\b({N}) vor halb ({N})\b", lambda m: clock_at(_n(m[2]) - 1 or 12, 30 - _n(m[1]))
     if _n(m[1]) < 30 and 1 <= _n(m[2]) <= 12 else m[0]),
    (rf"\bhalb ({N})\b", lambda m: clock_before(_n(m[1]), 30) or m[0]),
    (rf"\bviertel nach ({N})\b", lambda m: clock_at(_n(m[1]), 15)),
    (rf"\b(?:viertel vor|dreiviertel) ({N})\b", lambda m: clock_before(_n(m[1]), 15) or m[0]),
    (rf"\b({N}) nach ({N})\b", lambda m: clock_at(_n(m[2]), _n(m[1])) if _n(m[1]) <= 30
     else m[0]),
    (rf"\b({N}) vor ({N})\b", lambda m: clock_before(_n(m[2]), _n(m[1])) or m[0]),
    (rf"\b({N}|[0-9]{{1,2}}[:.][0-9]{{2}}) ?uhr(?: ([0-5][0-9])\b)?", _uhr),
    (rf"\b{NEXT} woche\b", "next week"),
    (rf"\b{NEXT} ({WD})\b", r"next \1"),
    (rf"\b(?:diese[nrs]?) ({WD})\b", r"this \1"),
    (r"\bdiese woche\b", "this week"),
    (r"\bdieses wochenende\b", "this weekend"),
    (rf"\b{NEXT} wochenende\b", "next weekend"),
    (r"\bdiesen monat\b", "this month"),
    (rf"\b{NEXT} monat\b", "next month"),
    (rf"\bam (?=[0-9]|(?:{WD})\b)", "on "),
    (r"\bzur (?:gleichen|selben) zeit\b|\bgleiche zeit\b", "same time"),
    (r"\bin einer woche\b", "in a week"),
]  # fmt: skip
WORDS = {w: str(n) for w, n in NUMBERS.items()} | calendar_words(
    ("montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag"),
    ("januar", "februar", "marz", "april", "mai", "juni", "juli", "august", "september",
     "oktober", "november", "dezember")
) | {
    "sonnabend": "saturday", "janner": "january", "jaenner": "january", "maerz": "march",
    "stunde": "hour", "stunden": "hours", "minute": "minute", "minuten": "minutes",
    "tag": "day", "tage": "days", "tagen": "days", "woche": "week", "wochen": "weeks",
    "vormittag": "morning", "nachmittag": "afternoon", "abend": "evening", "nacht": "night",
    "heute": "today", "gestern": "yesterday", "jetzt": "now", "sofort": "now",
    "um": "at", "gegen": "around", "circa": "around", "ca": "around", "etwa": "around",
    "ungefahr": "around", "ungefaehr": "around", "bis": "till", "fur": "for", "fuer": "for",
    "spater": "later", "spaeter": "later", "fruher": "earlier", "frueher": "earlier",
    "und": "and", "bitte": "please", "der": "", "die": "", "das": "", "den": "", "dem": "",
    "des": "", "ahm": "", "aehm": "", "ah": "", "also": "", "so": "", "genau": "sharp",
    "punkt": "sharp", "ab": "from", "von": "from", "zwischen": "between",
}  # fmt: skip
LEXICON = build("german", RULES, WORDS)

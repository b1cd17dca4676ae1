"""Spanish time words ('mañana a las tres de la tarde', 'el viernes a las 15:30')."""

from __future__ import annotations

from schedules.timeparse.lexicon.base import (
    DECIMAL_COMMA,
    DOTTED_DATE,
    build,
    calendar_words,
    clock_rules,
    number_re,
    reader,
)

NUMBERS = {"una": 1, "uno": 1, "un": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
           "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12, "trece": 13,
           "catorce": 14, "quince": 15, "dieciseis": 16, "diecisiete": 17, "dieciocho": 18,
           "diecinueve": 19, "veinte": 20, "veinticinco": 25, "treinta": 30, "cuarenta": 40,
           "cincuenta": 50, "noventa": 90}  # fmt: skip
N = number_re(NUMBERS)
WD = "lunes|martes|miercoles|jueves|viernes|sabado|domingo"


_n = reader(NUMBERS)


RULES = [
    DOTTED_DATE,
    DECIMAL_COMMA,
    (r"\bcuarenta y cinco\b", "45"),
    (r"\bpasado manana\b", "day after tomorrow"),
    (r"\b(?:por|de|en) la (?:manana|madrugada)\b", "in the morning"),
    (r"\besta manana\b", "this morning"),
    (r"\bmanana\b", "tomorrow"),
    (r"\besta noche\b", "tonight"),
    (r"\besta tarde\b", "this afternoon"),
    (r"\b(?:por|de|en) la tarde\b", "in the afternoon"),
    (r"\b(?:por|de|en) la noche\b", "at night"),
    (r"\b(?:a |al |el )?mediodia\b", "noon"),
    (r"\b(?:a )?(?:la )?medianoche\b", "midnight"),
    (r"\b(?:una|1) hora y media\b", "90 minutes"),
    (r"\bmedia hora\b", "30 minutes"),
    (r"\b(?:un )?cuarto de hora\b", "15 minutes"),
    (rf"\b({N}) horas y media\b", lambda m: f"{_n(m[1])}.5 hours"),
    *clock_rules(
        NUMBERS,
        joined="y",
        half="media",
        quarter="cuarto",
        minus="menos",
        not_before="(?:hora|minuto|dia|semana)",
    ),
    (r"\blas ([0-9]{1,2}) ?(?:horas|hs|h)\b", r"las \1h"),
    (r"\ben punto\b", "oclock"),
    (rf"\b(?:el )?(?:proximo|siguiente) ({WD})\b", r"next \1"),
    (rf"\b(?:el )?({WD}) (?:que viene|proximo)\b", r"next \1"),
    (rf"\beste ({WD})\b", r"this \1"),
    (rf"\b({WD}) de la (?:semana que viene|proxima semana)\b", r"\1 next week"),
    (r"\b(?:la )?(?:semana que viene|proxima semana)\b", "next week"),
    (r"\besta semana\b", "this week"),
    (r"\b(?:este|el) fin de semana\b", "this weekend"),
    (r"\bel proximo fin de semana\b", "next weekend"),
    (r"\beste mes\b", "this month"),
    (r"\bel (?:mes que viene|proximo mes)\b", "next month"),
    (r"\bel (?:dia )?([0-9]{1,2})\b(?! de)(?!:)", r"the \1th"),
    (r"\bdentro de\b", "in"),
    (r"\ba partir de(?: las| la)?\b", "from"),
    (
        rf"\bde (?:las |la )?([0-9]{{1,2}}(?::[0-9]{{2}})?|{N}) a (?:las |la )?"
        rf"([0-9]{{1,2}}(?::[0-9]{{2}})?|{N})\b",
        r"from \1 to \2",
    ),
    (r"\b(?:a las|a la|sobre las|hacia las|alrededor de las)\b", "at"),
    (r"\bhasta (?:las |la )?", "till "),
    (rf"\b(?:por|durante)\b(?= (?:[0-9]|{N}\b|media|hora))", "for"),
    (r"\bmas tarde\b", "later"),
    (r"\bmas temprano\b", "earlier"),
    (r"\ba la misma hora\b|\bmisma hora\b", "same time"),
    (r"\bpor favor\b", "please"),
    (r"\bmas o menos\b", "around"),
    (r"\bahora mismo\b", "now"),
]
WORDS = {w: str(n) for w, n in NUMBERS.items()} | calendar_words(
    ("lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo"),
    ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
     "octubre", "noviembre", "diciembre")
) | {
    "setiembre": "september",
    "hora": "hour", "horas": "hours", "minuto": "minute", "minutos": "minutes",
    "dia": "day", "dias": "days", "semana": "week", "semanas": "weeks",
    "hoy": "today", "ayer": "yesterday", "ahora": "now", "en": "in", "y": "and",
    "tarde": "afternoon", "noche": "night", "antes": "earlier", "despues": "later",
    "el": "", "la": "", "los": "", "las": "", "de": "", "del": "", "eh": "", "em": "",
    "pues": "", "bueno": "", "vale": "", "sobre": "around", "aproximadamente": "around",
    "como": "like", "desde": "from", "entre": "between",
}  # fmt: skip
LEXICON = build("spanish", RULES, WORDS)

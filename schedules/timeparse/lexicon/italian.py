"""Italian time words ('domani alle 15', 'dopodomani', 'alle tre e mezza del pomeriggio')."""

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

NUMBERS = {"una": 1, "uno": 1, "un": 1, "due": 2, "tre": 3, "quattro": 4, "cinque": 5, "sei": 6,
           "sette": 7, "otto": 8, "nove": 9, "dieci": 10, "undici": 11, "dodici": 12,
           "tredici": 13, "quattordici": 14, "quindici": 15, "sedici": 16, "diciassette": 17,
           "diciotto": 18, "diciannove": 19, "venti": 20, "ventuno": 21, "ventidue": 22,
           "ventitre": 23, "venticinque": 25, "trenta": 30, "quaranta": 40,
           "quarantacinque": 45, "cinquanta": 50, "novanta": 90}  # fmt: skip
N = number_re(NUMBERS)
WD = "lunedi|martedi|mercoledi|giovedi|venerdi|sabato|domenica"


_n = reader(NUMBERS)


RULES = [
    DOTTED_DATE,
    DECIMAL_COMMA,
    (r"\bdopodomani\b", "day after tomorrow"),
    (r"\b(?:stasera|stanotte|questa sera|questa notte)\b", "tonight"),
    (r"\b(?:stamattina|stamani|stamane|questa mattina)\b", "this morning"),
    (r"\b(?:oggi pomeriggio|questo pomeriggio)\b", "this afternoon"),
    (r"\bdomattina\b", "tomorrow morning"),
    (r"\b(?:di|la|in|della|del|al) (?:mattina|mattino)\b", "in the morning"),
    (r"\b(?:di|il|nel|del|al) pomeriggio\b", "in the afternoon"),
    (r"\b(?:di|la|della|alla) sera\b", "in the evening"),
    (r"\b(?:di|la|della|alla|nella) notte\b", "at night"),
    (r"\b(?:a )?mezzogiorno\b", "noon"),
    (r"\b(?:a )?mezzanotte\b", "midnight"),
    (r"\bun'? ?ora e mezz[ao]\b", "90 minutes"),
    (r"\b(?:mezz'? ?ora|mezza ora)\b", "30 minutes"),
    (r"\bun quarto d'? ?ora\b", "15 minutes"),
    (r"\btre quarti d'? ?ora\b", "45 minutes"),
    (r"\bun'? ?ora\b", "1 hour"),
    (rf"\b({N}) ore e mezz[ao]\b", lambda m: f"{_n(m[1])}.5 hours"),
    (r"\b(?:all'|l') ?una\b", "alle 1"),
    *clock_rules(NUMBERS, joined="e", half="mezz[ao]", quarter="quarto", minus="meno",
                 not_before="(?:or[ae]|minut|giorn|settiman)"),
    (r"\b(?:in punto|precise)\b", "sharp"),
    (rf"\b(?:il |la )?prossim[oa] ({WD})\b", r"next \1"),
    (rf"\b({WD}) prossim[oa]\b", r"next \1"),
    (rf"\b(?:questo|questa) ({WD})\b", r"this \1"),
    (rf"\b({WD}) della settimana prossima\b", r"\1 next week"),
    (r"\b(?:la )?(?:settimana prossima|prossima settimana)\b", "next week"),
    (r"\bquesta settimana\b", "this week"),
    (r"\bquesto (?:fine settimana|weekend)\b", "this weekend"),
    (r"\b(?:il )?(?:prossimo fine settimana|fine settimana prossimo)\b", "next weekend"),
    (r"\bquesto mese\b", "this month"),
    (r"\b(?:il )?(?:mese prossimo|prossimo mese)\b", "next month"),
    (r"\b(?:tra|fra)\b", "in"),
    (r"\bfino (?:alle|all'|a) ?", "till "),
    (r"\b(?:piu tardi|dopo)\b", "later"),
    (r"\b(?:piu presto|prima)\b", "earlier"),
    (r"\b(?:alla stessa ora|stessa ora)\b", "same time"),
    (r"\bper favore\b", "please"),
    (r"\ba partire dalle\b", "from"),
    (r"\b(?:alle|alla|verso le|verso)\b", "at"),
    (rf"\bper\b(?= (?:[0-9]|{N}\b|mezz|or))", "for"),
    (r"\b(?:l'|d'|all')", ""),
]  # fmt: skip
WORDS = {w: str(n) for w, n in NUMBERS.items()} | calendar_words(
    ("lunedi", "martedi", "mercoledi", "giovedi", "venerdi", "sabato", "domenica"),
    ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
     "settembre", "ottobre", "novembre", "dicembre")
) | {
    "ora": "now", "ore": "hours", "minuto": "minute", "minuti": "minutes", "giorno": "day",
    "giorni": "days", "settimana": "week", "settimane": "weeks",
    "mattina": "morning", "mattino": "morning", "pomeriggio": "afternoon", "sera": "evening",
    "notte": "night", "domani": "tomorrow", "oggi": "today", "ieri": "yesterday",
    "adesso": "now", "e": "and", "circa": "around", "il": "", "lo": "", "la": "", "le": "",
    "i": "", "gli": "", "di": "", "del": "", "della": "", "dal": "", "dalle": "from",
    "ehm": "", "allora": "", "tipo": "like", "tra": "in", "entro": "till",
}  # fmt: skip
LEXICON = build("italian", RULES, WORDS)

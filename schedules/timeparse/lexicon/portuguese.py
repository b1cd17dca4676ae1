"""Portuguese time words ('amanhã às três da tarde', 'sexta que vem às 15h')."""

from __future__ import annotations

from schedules.timeparse.lexicon.base import (
    DECIMAL_COMMA,
    DOTTED_DATE,
    build,
    calendar_words,
    clock_at,
    clock_before,
    clock_rules,
    number_re,
    reader,
)

NUMBERS = {"uma": 1, "dois": 2, "duas": 2, "tres": 3, "quatro": 4, "cinco": 5,
           "seis": 6, "sete": 7, "oito": 8, "nove": 9, "dez": 10, "onze": 11, "doze": 12,
           "treze": 13, "catorze": 14, "quatorze": 14, "quinze": 15, "dezesseis": 16,
           "dezasseis": 16, "dezessete": 17, "dezassete": 17, "dezoito": 18, "dezenove": 19,
           "dezanove": 19, "vinte": 20, "trinta": 30, "quarenta": 40, "cinquenta": 50,
           "noventa": 90}  # fmt: skip
N = number_re(NUMBERS)
WD = "segunda|terca|quarta|quinta|sexta|sabado|domingo"
WDF = rf"({WD})(?:[- ]feira)?"


_n = reader(NUMBERS)


RULES = [
    DOTTED_DATE,
    DECIMAL_COMMA,
    (r"\bvinte e (um|uma|dois|duas|tres|quatro|cinco)\b", lambda m: str(20 + _n(m[1]))),
    (r"\bquarenta e cinco\b", "45"),
    (r"\bdepois de amanha\b", "day after tomorrow"),
    (r"\b(?:daqui a|dentro de)\b", "in"),
    (r"\b(?:de|da|pela|na) (?:manha|madrugada)\b", "in the morning"),
    (r"\besta manha\b", "this morning"),
    (r"\bamanha\b", "tomorrow"),
    (r"\b(?:hoje a noite|esta noite|hoje de noite)\b", "tonight"),
    (r"\besta tarde\b", "this afternoon"),
    (r"\b(?:de|da|a|pela|na) tarde\b", "in the afternoon"),
    (r"\b(?:de|da|a|pela|na) noite\b", "at night"),
    (r"\b(?:o |ao )?meio[- ]dia\b", "noon"),
    (r"\b(?:a )?meia[- ]noite\b", "midnight"),
    (r"\b(?:uma|1) hora e meia\b", "90 minutes"),
    (r"\bmeia hora\b", "30 minutes"),
    (r"\b(?:um )?quarto de hora\b", "15 minutes"),
    (rf"\bas ({N}) horas? e meia\b", lambda m: f"at {clock_at(_n(m[1]), 30)}"),
    (rf"\b({N}) horas e meia\b", lambda m: f"{_n(m[1])}.5 hours"),
    (rf"\b(?:um quarto|quinze) para (?:as |a )?({N})\b",
     lambda m: clock_before(_n(m[1]), 15) or m[0]),
    (rf"\b({N}) para (?:as |a )({N})\b", lambda m: clock_before(_n(m[2]), _n(m[1])) or m[0]),
    *clock_rules(NUMBERS, joined="e", half="meia", quarter="quarto", minus=None,
                 not_before="(?:hora|minuto|dia|semana)"),
    (rf"\b(?:as|a) ({N}) ?(?:horas|hrs|hs)\b", lambda m: f"at {_n(m[1])}h"),
    (r"\bem ponto\b", "oclock"),
    (rf"\b(?:a |o )?proxim[oa] {WDF}", r"next \1"),
    (rf"\b(?:na |no )?{WDF} que vem\b", r"next \1"),
    (rf"\b(?:nest[ae]|est[ae]) {WDF}", r"this \1"),
    (rf"\b{WDF} da (?:proxima semana|semana que vem)\b", r"\1 next week"),
    (r"\b(?:a )?(?:proxima semana|semana que vem)\b", "next week"),
    (r"\besta semana\b", "this week"),
    (r"\beste fim de semana\b", "this weekend"),
    (r"\bo proximo fim de semana\b", "next weekend"),
    (r"\beste mes\b", "this month"),
    (r"\b(?:o )?(?:mes que vem|proximo mes)\b", "next month"),
    (rf"\b{WDF}", r"\1"),
    (r"\bate (?:as |a |o )?", "till "),
    (r"\bmais tarde\b", "later"),
    (r"\bmais cedo\b", "earlier"),
    (r"\b(?:no mesmo horario|na mesma hora|mesmo horario)\b", "same time"),
    (r"\bpor favor\b", "please"),
    (r"\bpor volta d[ao]s?\b", "around"),
    (r"\ba partir d[ao]s?\b", "from"),
    (rf"\b(?:as|a|pelas) (?=[0-9]|noon|midnight|(?:{N})\b)", "at "),
    (rf"\b(?:por|durante)\b(?= (?:[0-9]|{N}\b|meia|hora))", "for"),
    (r"\bdia ([0-9]{1,2})\b(?! de)(?!:)", r"the \1th"),
    # "um" is one only before a masculine noun: hours are feminine ("à uma"), and English
    # speakers' "um" must not become a number in multilingual mode.
    (r"\bum (?=dia\b|minuto|mes\b|segundo)", "1 "),
]  # fmt: skip
WORDS = {w: str(n) for w, n in NUMBERS.items()} | calendar_words(
    ("segunda", "terca", "quarta", "quinta", "sexta", "sabado", "domingo"),
    ("janeiro", "fevereiro", "marco", "abril", "maio", "junho", "julho", "agosto", "setembro",
     "outubro", "novembro", "dezembro")
) | {
    "hora": "hour", "horas": "hours", "minuto": "minute", "minutos": "minutes",
    "dia": "day", "dias": "days", "semana": "week", "semanas": "weeks",
    "hoje": "today", "ontem": "yesterday", "agora": "now", "em": "in", "e": "and",
    "manha": "morning", "tarde": "afternoon", "noite": "night", "antes": "earlier",
    "depois": "later", "o": "", "os": "", "de": "", "do": "", "da": "", "dos": "", "das": "",
    "no": "", "na": "", "ao": "", "hum": "", "tipo": "like", "cerca": "around",
    "entre": "between", "partir": "from",
}  # fmt: skip
LEXICON = build("portuguese", RULES, WORDS)

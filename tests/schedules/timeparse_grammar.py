"""A small grammar of time phrases whose meaning is known by construction.

A phrase is built from structured pieces (a day, a clock time, filler, a language) and its
instant is computed from those pieces with datetime and zoneinfo alone (the "reference
resolver"), never by calling the parser. Forms are only generated where their meaning is settled
by the documented rules: a bare "at 9" is generated as a phrase that must be asked about.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

ZONES = [ZoneInfo(k) for k in ("America/New_York", "Europe/Berlin", "Australia/Sydney",
                                "Asia/Kolkata")]  # fmt: skip
LANGUAGES = ["english", "spanish", "german", "french", "portuguese", "italian"]
MUST_ASK = "must ask"

MONTHS = {
    "english": ["January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December"],
    "spanish": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
                "septiembre", "octubre", "noviembre", "diciembre"],
    "german": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
               "September", "Oktober", "November", "Dezember"],
    "french": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
               "septembre", "octobre", "novembre", "décembre"],
    "portuguese": ["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho",
                   "agosto", "setembro", "outubro", "novembro", "dezembro"],
    "italian": ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio",
                "agosto", "settembre", "ottobre", "novembre", "dicembre"],
}  # fmt: skip
WEEKDAYS = {
    "english": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "spanish": ["el lunes", "el martes", "el miércoles", "el jueves", "el viernes",
                "el sábado", "el domingo"],
    "german": ["am Montag", "am Dienstag", "am Mittwoch", "am Donnerstag", "am Freitag",
               "am Samstag", "am Sonntag"],
    "french": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
    "portuguese": ["segunda-feira", "terça-feira", "quarta-feira", "quinta-feira",
                   "sexta-feira", "sábado", "domingo"],
    "italian": ["lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"],
}  # fmt: skip
DAY_WORDS = {  # today, tomorrow, the day after
    "english": ["today", "tomorrow", "the day after tomorrow"],
    "spanish": ["hoy", "mañana", "pasado mañana"],
    "german": ["heute", "morgen", "übermorgen"],
    "french": ["aujourd'hui", "demain", "après-demain"],
    "portuguese": ["hoje", "amanhã", "depois de amanhã"],
    "italian": ["oggi", "domani", "dopodomani"],
}
NUMBER_WORDS = {
    "english": ["twelve", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten", "eleven", "twelve"],
    "german": ["zwölf", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht",
               "neun", "zehn", "elf", "zwölf"],
    "spanish": ["doce", "una", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho",
                "nueve", "diez", "once", "doce"],
}  # fmt: skip
FILLER = {
    "english": (["uh", "um", "ok", "so", "like"], ["please", "thanks"]),
    "spanish": (["eh", "pues"], ["por favor"]),
    "german": (["äh", "also"], ["bitte"]),
    "french": (["euh", "bon"], ["s'il vous plaît"]),
    "portuguese": (["hum"], ["por favor"]),
    "italian": (["ehm", "allora"], ["per favore"]),
}
IN_HOURS = {"english": "in {n} hours", "spanish": "dentro de {n} horas",
            "german": "in {n} Stunden", "french": "dans {n} heures",
            "portuguese": "daqui a {n} horas", "italian": "tra {n} ore"}  # fmt: skip


@dataclass(frozen=True)
class Phrase:
    text: str
    language: str
    tz: ZoneInfo
    now: datetime
    expected: datetime | str  # the instant, or MUST_ASK
    definite: bool  # the grammar's meaning leaves nothing to ask: it must be understood


def wall_state(naive: datetime, tz: ZoneInfo) -> str:
    """'ok', 'gap' (skipped by DST) or 'fold' (repeated), from zoneinfo alone."""
    early, late = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    if early.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        return "gap"
    return "fold" if early.utcoffset() != late.utcoffset() else "ok"


# ---------------------------------------------------------------- clock renderings


def _h12(hour: int) -> int:
    return hour % 12 or 12


def _colon(hour: int, minute: int) -> tuple[str, bool]:
    """'09:30', '15:30': the 24-hour clock, except that 10:xx and 11:xx could be either."""
    return f"{hour:02d}:{minute:02d}", hour in (10, 11)


def english_clock(draw, hour: int, minute: int) -> tuple[str, bool]:
    """(text, needs asking) for hour:minute; forms chosen where their meaning is settled."""
    ampm = "am" if hour < 12 else "pm"
    forms = [(f"{_h12(hour)}:{minute:02d} {ampm}", False), _colon(hour, minute),
             (f"{hour:02d}{minute:02d} hours", False)]  # fmt: skip
    if minute == 0:
        forms += [(f"{_h12(hour)}{ampm}", False), (f"{_h12(hour)} {ampm[0]}.m.", False)]
        part = {5: "morning", 6: "morning", 14: "afternoon", 15: "afternoon", 19: "evening"}
        if hour in part:
            word = NUMBER_WORDS["english"][_h12(hour)]
            forms.append((f"{word} o'clock in the {part[hour]}", False))
    if minute == 30 and hour != 0:
        forms.append((f"half past {_h12(hour)} {ampm}", False))
    if minute == 15 and hour != 0:
        forms.append((f"quarter past {_h12(hour)} {ampm}", False))
    if minute == 20 and 13 <= hour <= 18:
        forms.append((f"twenty past {NUMBER_WORDS['english'][_h12(hour)]}", False))
    if 13 <= hour <= 18 or hour == 12:
        forms.append((f"at {_h12(hour)}:{minute:02d}" if minute else f"at {_h12(hour)}", False))
    if 7 <= hour <= 11 and minute == 0:
        forms.append((f"at {hour}", True))  # 7-11 said bare: a person would ask, so must DRAKO
    return draw(st.sampled_from(forms))


def foreign_clock(draw, language: str, hour: int, minute: int) -> tuple[str, bool]:
    """(text, needs asking) in another language, in forms whose reading the rules settle."""
    mm = f"{minute:02d}"
    colon, ask = _colon(hour, minute)
    forms = {
        "spanish": [(f"a las {colon}", ask)]
        + ([(f"a las {_h12(hour)}:{mm} de la mañana", False)] if 1 <= hour <= 11 else [])
        + ([(f"a las {_h12(hour)}:{mm} de la tarde", False)] if 12 <= hour <= 19 else [])
        + ([(f"a las {_h12(hour)}:{mm} de la noche", False)] if 20 <= hour <= 23 else []),
        "german": [(f"um {hour}:{mm} Uhr" if hour >= 7 else f"um {hour:02d}:{mm} Uhr", False)]
        + ([(f"um halb {NUMBER_WORDS['german'][hour - 11]}", False)]
           if minute == 30 and 12 <= hour <= 18 else []),
        "french": [(f"à {hour}h{mm}" if hour >= 7 else f"à {hour:02d}h{mm}", False)]
        + ([(f"à {hour} heures", False)] if minute == 0 and hour >= 7 else []),
        "portuguese": [(f"às {colon}", ask)]
        + ([(f"às {_h12(hour)}:{mm} da manhã", False)] if 1 <= hour <= 11 else [])
        + ([(f"às {_h12(hour)}:{mm} da tarde", False)] if 13 <= hour <= 18 else []),
        "italian": [(f"alle {colon}", ask)]
        + ([(f"alle {_h12(hour)}:{mm} di mattina", False)] if 1 <= hour <= 11 else [])
        + ([(f"alle {_h12(hour)}:{mm} del pomeriggio", False)] if 13 <= hour <= 18 else []),
    }  # fmt: skip
    return draw(st.sampled_from(forms[language]))


# ---------------------------------------------------------------- day renderings


def day_phrase(draw, language: str, today: date) -> tuple[str, date | None, str]:
    """(text, the day, kind): a day word, an explicit date, or a weekday (kind 'weekday')."""
    kind = draw(st.sampled_from(["word", "date", "weekday", "none"]))
    if kind == "word":
        n = draw(st.integers(0, 2))
        return DAY_WORDS[language][n], today + timedelta(days=n), kind
    if kind == "date":
        day = draw(st.dates(min_value=today + timedelta(days=1), max_value=today.replace(
            year=today.year + 1, day=min(today.day, 28))))  # fmt: skip
        return _date_text(language, day), day, kind
    if kind == "weekday":
        wd = draw(st.integers(0, 6))
        return WEEKDAYS[language][wd], today + timedelta(days=(wd - today.weekday()) % 7), kind
    return "", None, kind


def _date_text(language: str, day: date) -> str:
    month = MONTHS[language][day.month - 1]
    return {
        "english": f"{month} {day.day} {day.year}",
        "spanish": f"el {day.day} de {month} de {day.year}",
        "german": f"am {day.day}. {month} {day.year}",
        "french": f"le {day.day} {month} {day.year}",
        "portuguese": f"{day.day} de {month} de {day.year}",
        "italian": f"il {day.day} {month} {day.year}",
    }[language]


# ---------------------------------------------------------------- the reference resolver


def reference(day: date | None, kind: str, hour: int, minute: int, now: datetime) -> object:
    """The day and time the pieces mean, by the documented rules (no parser involved)."""
    wall_now = now.replace(tzinfo=None)
    at = time(hour, minute)
    if day is None:  # no day said: today if still ahead, else tomorrow
        naive = datetime.combine(now.date(), at)
        return naive if naive > wall_now else naive + timedelta(days=1)
    naive = datetime.combine(day, at)
    if kind == "weekday" and day == now.date():  # the weekday said on that weekday
        return naive + timedelta(days=7) if naive <= wall_now else MUST_ASK
    return naive


@st.composite
def phrases(draw) -> Phrase:
    tz = draw(st.sampled_from(ZONES))
    now = draw(st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31),
                            timezones=st.just(UTC))).astimezone(tz)  # fmt: skip
    language = draw(st.sampled_from(LANGUAGES))
    hour, minute = draw(st.integers(0, 23)), draw(st.sampled_from([0, 15, 20, 30, 45]))
    day_text, day, kind = day_phrase(draw, language, now.date())
    if language == "english":
        clock_text, must_ask = english_clock(draw, hour, minute)
    else:
        clock_text, must_ask = foreign_clock(draw, language, hour, minute)
    before, after = FILLER[language]
    middle = draw(st.sampled_from(["", *before]))
    pieces = [day_text, middle, clock_text] if draw(st.booleans()) else [clock_text, day_text]
    pieces = [draw(st.sampled_from(["", *before])), *pieces, draw(st.sampled_from(["", *after]))]
    text = " ".join(p for p in pieces if p)
    naive = reference(day, kind, hour, minute, now)
    if must_ask:
        return Phrase(text, language, tz, now, MUST_ASK, False)
    if naive == MUST_ASK:
        return Phrase(text, language, tz, now, MUST_ASK, False)
    state = wall_state(naive, tz)
    expected = naive.replace(tzinfo=tz)
    return Phrase(text, language, tz, now, expected, state == "ok")


@st.composite
def relative_phrases(draw) -> Phrase:
    """'in 3 hours' in each language: elapsed time from now."""
    tz = draw(st.sampled_from(ZONES))
    now = draw(st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31),
                            timezones=st.just(UTC))).astimezone(tz)  # fmt: skip
    language, n = draw(st.sampled_from(LANGUAGES)), draw(st.integers(1, 12))
    expected = (now.astimezone(UTC) + timedelta(hours=n)).astimezone(tz)
    return Phrase(IN_HOURS[language].format(n=n), language, tz, now, expected, True)

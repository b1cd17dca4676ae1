"""The replica speaks each `say` verbatim, so a person who talks to DRAKO in Spanish, German or
French hears it all in that language: the catalogue's sentences, CLDR's weekday and month names,
a 24-hour clock. English words or an English clock must never slip into those sentences.

These tests compile the catalogues from locale/*.po (as `make messages` does), so they check the
translations in the tree, whether or not a build has run. The clock is fixed at Wednesday,
December 2, 2026, 09:00 UTC (10:00 in Madrid, Berlin and Paris): tomorrow is Thursday the 3rd.
"""

import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.utils import timezone

from conversations.assistant.calls import ToolRequest, arguments_parse, tool_call_execute
from conversations.assistant.playground import playground_conversation_get
from schedules import speech
from schedules.models import Event
from tests.factories import UserFactory, add_event

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
LOCALE = Path(__file__).resolve().parents[3] / "locale"

# Words that give English away in any of these sentences (none is also a Spanish, German or
# French word, so April and November are left out); the clock's AM/PM apart, as German says "am".
_ENGLISH = re.compile(
    r"\b(the|is|and|at|to|you|your|I'll|I've|done|undone|shall|which|what|when|sorry|today"
    r"|tomorrow|all day|free|overlaps|cancelled|monday|tuesday|wednesday|thursday|friday"
    r"|saturday|sunday|january|february|march|june|july|october|december)\b",
    re.IGNORECASE,
)
_ENGLISH_CLOCK = re.compile(r"\b\d{1,2}(:\d\d)? ?(AM|PM)\b")


@pytest.fixture(scope="module")
def compiled_locale(tmp_path_factory) -> Path:
    """locale/*.po compiled to .mo in a directory of the tests' own (fuzzy ones skipped, as
    `pybabel compile` skips them)."""
    root = tmp_path_factory.mktemp("locale")
    for po_path in LOCALE.glob("*/LC_MESSAGES/django.po"):
        with po_path.open("rb") as po:
            catalogue = read_po(po)
        if catalogue.fuzzy:
            continue
        mo_path = root / po_path.relative_to(LOCALE).with_suffix(".mo")
        mo_path.parent.mkdir(parents=True)
        with mo_path.open("wb") as mo:
            write_mo(mo, catalogue)
    return root


@pytest.fixture(autouse=True)
def catalogues(compiled_locale, settings, monkeypatch):
    settings.LOCALE_PATHS = [compiled_locale]  # Django drops its loaded catalogues on change
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    speech._day.cache_clear()  # remembered days were said with whichever catalogue was loaded
    yield
    speech._day.cache_clear()


def _speaker(language: str, zone: str):
    """A user who talks to DRAKO in `language`, and a function that runs one tool call of theirs
    through the real tool-call path (the same one the relay and Tavus's delivery use)."""
    user = UserFactory(time_zone=zone, language=language)
    conversation = playground_conversation_get(user=user)

    def say(name: str, **arguments) -> dict:
        request = ToolRequest(name=name, arguments=arguments_parse(arguments))
        return tool_call_execute(conversation=conversation, request=request)

    return user, say


def _no_english(answer: dict) -> str:
    said = answer["say"]
    assert not _ENGLISH.search(said), said
    assert not _ENGLISH_CLOCK.search(said), said
    return said


def test_a_spanish_speaker_adds_lists_and_cancels_in_spanish():
    madrid = ZoneInfo("Europe/Madrid")
    user, say = _speaker("spanish", "Europe/Madrid")
    add_event(user, "Gimnasio", datetime(2026, 12, 3, 8, 0, tzinfo=madrid))

    proposed = say("add_schedule_event", title="Dentista", start_time="mañana a las 3")
    assert proposed["ok"] and proposed["state"] == "proposed", proposed
    assert _no_english(proposed) == (
        "Añadiré Dentista, mañana, el jueves 3 de diciembre, de 15:00 a 16:00. ¿Lo hago?"
    )
    confirmed = say("confirm_change")
    assert confirmed["state"] == "applied"
    assert _no_english(confirmed) == (
        "Hecho: Dentista queda para mañana, el jueves 3 de diciembre, de 15:00 a 16:00."
    )
    dentist = Event.objects.get(owner=user, title="Dentista")
    assert dentist.start == datetime(2026, 12, 3, 15, 0, tzinfo=madrid)

    listed = say("list_schedule_events", when="mañana")
    assert _no_english(listed) == (
        "Tienes 2 eventos mañana, el jueves 3 de diciembre: "
        "Gimnasio a las 08:00; Dentista a las 15:00."
    )
    cancelling = say("cancel_schedule_event", event_id=dentist.pk)
    # Read back on the 24-hour clock: no "3:00 PM" inside a Spanish sentence.
    assert _no_english(cancelling) == (
        "Cancelaré Dentista, mañana, el jueves 3 de diciembre a las 15:00. ¿Lo hago?"
    )
    assert _no_english(say("confirm_change")) == "Hecho: he cancelado Dentista."
    assert _no_english(say("list_schedule_events", when="el domingo")) == (
        "No tienes nada el domingo 6 de diciembre."
    )


def test_a_spanish_speaker_hears_refusals_and_questions_in_spanish():
    _user, say = _speaker("spanish", "Europe/Madrid")
    answers = {
        "no such event": say("cancel_schedule_event", event_id=999_999),
        "morning or evening": say("add_schedule_event", title="Cena", start_time="hoy a las 7"),
        "no such day": say("add_schedule_event", title="Cena", start_time="el 31 de abril a las 9"),
        "wrong weekday": say(
            "add_schedule_event", title="Cena", start_time="el lunes 3 de diciembre a las 9"
        ),
        "repeating": say(
            "add_schedule_event",
            title="Clase",
            start_time="mañana a las 9 de la mañana",
            repeat="cada día",
        ),
    }
    assert all(answer["ok"] is False for answer in answers.values()), answers
    said = {case: _no_english(answer) for case, answer in answers.items()}
    assert said == {
        "no such event": "No encuentro ese evento en tu agenda. ¿A cuál te refieres?",
        "morning or evening": "¿Cuál quieres: 7 de la mañana o 7 de la tarde?",
        # The month and the weekday are CLDR's Spanish names, not an English table's.
        "no such day": "El mes de abril no tiene día 31. ¿A qué día te refieres?",
        "wrong weekday": "Eso no cuadra: el jueves 3 de diciembre no es lunes. "
        "¿A qué día te refieres?",
        "repeating": (
            "No he entendido cómo se repite. "
            "¿Todos los días, de lunes a viernes, cada semana o cada mes?"
        ),
    }


def test_a_spanish_speaker_hears_the_clock_changes_in_spanish():
    user, say = _speaker("spanish", "Europe/Madrid")
    gap = say("add_schedule_event", title="Vuelo", start_time="2027-03-28T02:30")
    assert _no_english(gap) == (
        "Las 02:30 no existen el domingo 28 de marzo de 2027: los relojes saltan de las 02:00 a "
        "las 03:00. ¿Lo pongo a las 03:00?"
    )
    twice = say("add_schedule_event", title="Vuelo", start_time="2027-10-31T02:30")
    assert _no_english(twice) == (
        "Las 02:30 ocurren dos veces el domingo 31 de octubre de 2027, porque se atrasan los "
        "relojes. ¿Antes del cambio (CEST) o después (CET)?"
    )
    assert gap["ok"] is False and twice["ok"] is False
    assert not Event.objects.filter(owner=user).exists()


def test_a_decided_change_is_said_whole_in_the_speakers_language():
    _user, say = _speaker("spanish", "Europe/Madrid")
    proposed = say("add_schedule_event", title="Dentista", start_time="mañana a las 3")
    say("confirm_change", change_id=proposed["change_id"])
    late_no = say("discard_change", change_id=proposed["change_id"])
    assert late_no["ok"] is False and late_no["state"] == "applied"
    assert _no_english(late_no) == "Ese cambio ya estaba hecho. ¿Qué quieres hacer en su lugar?"


def test_a_german_speaker_hears_german():
    berlin = ZoneInfo("Europe/Berlin")
    user, say = _speaker("german", "Europe/Berlin")
    add_event(user, "Yoga", datetime(2026, 12, 3, 8, 0, tzinfo=berlin))

    proposed = say("add_schedule_event", title="Zahnarzt", start_time="morgen um 15 Uhr")
    assert _no_english(proposed) == (
        "Ich trage Zahnarzt ein, morgen, Donnerstag, 3. Dezember, 15:00 bis 16:00 Uhr. "
        "Soll ich das machen?"
    )
    assert _no_english(say("confirm_change")) == (
        "Erledigt: Zahnarzt ist eingetragen für morgen, Donnerstag, 3. Dezember, 15:00 bis "
        "16:00 Uhr."
    )
    assert Event.objects.get(owner=user, title="Zahnarzt").start == datetime(
        2026, 12, 3, 15, 0, tzinfo=berlin
    )
    assert _no_english(say("list_schedule_events", when="Donnerstag")) == (
        "Für morgen, Donnerstag, 3. Dezember hast du 2 Termine: "
        "Yoga um 08:00 Uhr; Zahnarzt um 15:00 Uhr."
    )
    questions = [
        say("cancel_schedule_event", event_id=999_999),
        say("add_schedule_event", title="Kino", start_time="heute um 7"),
        say("add_schedule_event", title="Kino", start_time="31. April um 10"),
        say("add_schedule_event", title="Kino", start_time="Montag, 3. Dezember um 10 Uhr"),
        say("add_schedule_event", title="Kino", start_time="2027-03-28T02:30"),
    ]
    assert [_no_english(answer) for answer in questions] == [
        "Diesen Termin finde ich nicht in deinem Kalender. Welchen meinst du?",
        "Meinst du 7 Uhr morgens oder 7 Uhr abends?",
        "Einen 31. April gibt es nicht. Welchen Tag meinst du?",
        "Donnerstag, 3. Dezember ist kein Montag. Welchen Tag meinst du?",
        "02:30 Uhr gibt es am Sonntag, 28. März 2027 nicht: Die Uhren springen von 02:00 auf "
        "03:00 Uhr. Soll ich 03:00 Uhr nehmen?",
    ]


def test_a_french_speaker_hears_french():
    _user, say = _speaker("french", "Europe/Paris")
    proposed = say("add_schedule_event", title="Dentiste", start_time="demain à 15 heures")
    assert _no_english(proposed) == (
        "Je vais ajouter Dentiste, demain, jeudi 3 décembre, de 15:00 à 16:00. "
        "Voulez-vous que je le fasse ?"
    )
    assert _no_english(say("confirm_change")) == (
        "C'est fait : Dentiste est dans votre agenda, demain, jeudi 3 décembre, de 15:00 à 16:00."
    )
    assert _no_english(say("list_schedule_events", when="demain")) == (
        "Vous avez 1 événement demain, jeudi 3 décembre : Dentiste à 15:00."
    )


IN_ENGLISH = "I'll add Dentist, tomorrow, Thursday, December 3, 3 to 4 PM. Shall I go ahead?"


# "dutch": a language DRAKO has no words in yet is answered in English, not in a mixture.
@pytest.mark.parametrize("language", ["english", "dutch"])
def test_english_and_languages_without_a_catalogue_hear_english(language):
    _user, say = _speaker(language, "Europe/Madrid")
    answer = say("add_schedule_event", title="Dentist", start_time="2026-12-03T15:00")
    assert answer["say"] == IN_ENGLISH

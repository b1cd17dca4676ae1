"""The assistant's words in every language it speaks: catalogues complete, current and sound.

Read with Babel straight from the .po files, so these run without compiled catalogues.
"""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]
APPS = ("accounts", "calendars", "conversations", "drako", "personas", "schedules", "workers")
KEYWORDS = {"_": None, "gettext": None, "gettext_lazy": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s")


def _catalogue(code: str):
    with (ROOT / "locale" / code / "LC_MESSAGES" / "django.po").open("rb") as po:
        return read_po(po)


def _in_the_code() -> set[str]:
    found = set()
    for app in APPS:
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / app, [("**/migrations/**", "ignore"), ("**.py", "python")], KEYWORDS
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_message_is_translated_with_its_placeholders(code):
    catalogue = _catalogue(code)
    assert not catalogue.fuzzy
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings) and not message.fuzzy, (code, message.id)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for form, translated in enumerate(strings):
            found = set(PLACEHOLDER.findall(translated))
            if form == 0 and len(ids) > 1:
                # The one-form may leave out what only the plural says (the count): a singular
                # msgid without %(count)s is refused by the compilers if its form uses it.
                assert set(PLACEHOLDER.findall(ids[0])) <= found <= wanted, (code, message.id)
            else:
                assert found == wanted, (code, message.id)


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_catalogue_holds_every_word_the_code_says(code):
    missing = _in_the_code() - {
        m.id[0] if isinstance(m.id, tuple) else m.id for m in _catalogue(code)
    }
    assert not missing, f"run makemessages -l {code} and translate: {sorted(missing)[:5]}"

"""`manage.py tavus_check` (and the admin's "Check Tavus") against the fake Tavus, in each way
a real deployment goes wrong."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from personas import services
from personas.models import Document, Persona
from personas.services.check import tavus_check

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(fake_tavus, settings):
    """A deployment where every check passes."""
    settings.DRAKO_PUBLIC_URL = "https://drako.example.com"
    persona = Persona.objects.create(name="DRAKO", system_prompt="You are DRAKO.")
    services.persona_sync(persona=persona)
    document = Document.objects.create(name="Handbook", source_url="https://a.example/h.pdf")
    services.document_create_on_tavus(document=document)
    document.refresh_from_db()
    fake_tavus.set_document_status(document.tavus_document_id, "ready", progress=100)
    return persona, document


def _failed(checks) -> dict[str, str]:
    return {check.name: check.message for check in checks if not check.ok}


def _run() -> tuple[str, int]:
    out = StringIO()
    try:
        call_command("tavus_check", stdout=out)
    except CommandError as error:
        return out.getvalue(), error.returncode
    return out.getvalue(), 0


def test_a_ready_deployment_passes_every_check(ready, fake_tavus):
    fake_tavus.requests.clear()
    output, code = _run()
    assert code == 0, output
    assert "All " in output and "FAIL" not in output
    assert "re8e740a42 (Nathan) is ready" in output
    assert "persona DRAKO's tools: all" in output
    writes = [r for r in fake_tavus.requests if r.method != "GET"]
    assert writes == []  # checking changes nothing at Tavus


def test_without_a_key_it_says_so_and_asks_nothing(settings, fake_tavus):
    settings.TAVUS_API_KEY = ""
    output, code = _run()
    assert code == 1
    assert "FAIL API key: TAVUS_API_KEY is empty" in output
    assert "skipped" in output and fake_tavus.requests == []


def test_a_refused_key(ready, settings):
    settings.TAVUS_API_KEY = "wrong"
    failed = _failed(tavus_check())
    assert "refused our API key" in failed["API key"]


def test_a_retired_or_unready_replica(ready, fake_tavus, settings):
    settings.TAVUS_DEFAULT_REPLICA_ID = "re-retired"
    assert "Tavus has no replica re-retired" in _failed(tavus_check())["default replica"]
    settings.TAVUS_DEFAULT_REPLICA_ID = "re8e740a42"
    fake_tavus.replicas["re8e740a42"]["status"] = "started"
    assert "not ready for calls" in _failed(tavus_check())["default replica"]


def test_a_persona_changed_or_deleted_at_tavus(ready, fake_tavus):
    persona, _document = ready
    fake_tavus.personas[persona.tavus_persona_id]["system_prompt"] = "Edited in the dashboard."
    assert "/system_prompt" in _failed(tavus_check())["persona DRAKO"]
    del fake_tavus.personas[persona.tavus_persona_id]
    assert "no longer has" in _failed(tavus_check())["persona DRAKO"]


def test_registry_tools_missing_changed_or_detached(ready, fake_tavus):
    persona, _document = ready
    (tool_id,) = [i for i, t in fake_tavus.tools.items() if t["name"] == "confirm_change"]
    fake_tavus.persona_tools[persona.tavus_persona_id].remove(tool_id)
    assert "not attached: confirm_change" in _failed(tavus_check())["persona DRAKO's tools"]
    fake_tavus.tools[tool_id]["on_resolve"] = "fire_and_forget"
    assert "confirm_change differs" in _failed(tavus_check())["tools registry"]
    del fake_tavus.tools[tool_id]
    assert "confirm_change is missing" in _failed(tavus_check())["tools registry"]
    # The fix it names works: a sync puts the tool back and attaches it.
    services.persona_sync(persona=Persona.objects.get(pk=persona.pk))
    assert _failed(tavus_check()) == {}


def test_documents_that_failed_or_are_still_processing(ready, fake_tavus):
    _persona, document = ready
    fake_tavus.set_document_status(document.tavus_document_id, "processing")
    assert "still processing" in _failed(tavus_check())["document Handbook"]
    fake_tavus.set_document_status(document.tavus_document_id, "error", "file_empty")
    assert "file_empty" in _failed(tavus_check())["document Handbook"]


@pytest.mark.parametrize("url", ["", "http://localhost:8000", "http://drako.example.com"])
def test_a_public_url_tavus_cannot_reach(ready, settings, url):
    settings.DRAKO_PUBLIC_URL = url
    assert "public URL" in _failed(tavus_check())


def test_the_admin_button_shows_the_same_checks(ready, client, staff_user, user, settings):
    settings.TAVUS_DEFAULT_REPLICA_ID = "re-retired"
    client.force_login(staff_user)
    page = client.post("/admin/personas/persona/check-tavus/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Tavus has no replica re-retired" in text and "checks failed" in text
    assert client.get("/admin/personas/persona/check-tavus/").status_code == 405
    client.force_login(user)  # not staff
    assert client.post("/admin/personas/persona/check-tavus/").status_code == 302


def test_smoke_creates_and_ends_a_test_mode_conversation(ready, fake_tavus):
    persona, _document = ready
    Persona.objects.filter(pk=persona.pk).update(is_default=True)
    fake_tavus.requests.clear()
    out = StringIO()
    call_command("tavus_check", "--smoke", stdout=out)
    assert "created (with a meeting token) and ended" in out.getvalue()
    created = [r for r in fake_tavus.requests if r.path == "/v2/conversations"]
    assert [r.json["test_mode"] for r in created] == [True]
    ended = [r for r in fake_tavus.requests if r.path.endswith("/end")]
    assert len(ended) == 1

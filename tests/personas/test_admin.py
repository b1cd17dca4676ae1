"""Admin smoke tests as a superuser: pages, payload preview, each Tavus action's messages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from personas import services
from personas.models import Document, Persona, SyncState

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:personas_persona_changelist")
DOCUMENTS = reverse("admin:personas_document_changelist")
SECRET = "sk-very-secret-key"


@pytest.fixture
def admin(client, staff_user):
    client.force_login(staff_user)
    return client


def _persona(**fields) -> Persona:
    values = {"name": "Coach", "system_prompt": "You coach people."}
    return Persona.objects.create(**values | fields)


def _form(**overrides) -> dict:
    data = {
        "name": "Coach",
        "system_prompt": "You coach people.",
        "default_replica_id": "re8e740a42",
        "pipeline_mode": "full",
        "llm_model": "tavus-gpt-oss",
        "llm_custom_model": "",
        "llm_base_url": "",
        "llm_api_key": "",
        "speculative_inference": "on",
        "tts_engine": "cartesia",
        "tts_voice_id": "",
        "tts_model_name": "",
        "tts_emotion_control": "on",
        "stt_hotwords": "",
        "turn_detection_model": "sparrow-1",
        "turn_taking_patience": "medium",
        "replica_interruptibility": "medium",
        "tool_delivery": "registry",
        "perception_model": "off",
        "document_tags": "",
        "max_call_duration_seconds": "240",
        "participant_left_timeout_seconds": "10",
        "participant_absent_timeout_seconds": "120",
        "writes_need_confirmation": "on",
    }
    return data | overrides


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _act(admin, url: str, action: str, *objects) -> list[str]:
    """The messages after running an admin action (the action's own come first)."""
    data = {"action": action, "_selected_action": [obj.pk for obj in objects]}
    return _messages(admin.post(url, data, follow=True))


def _change_url(persona: Persona) -> str:
    return reverse("admin:personas_persona_change", args=[persona.pk])


# --- pages --------------------------------------------------------------------------------------


def test_changelist_shows_sync_state_and_the_import_button(admin):
    _persona(sync_state=SyncState.ERROR, last_error="Tavus refused our API key.")

    response = admin.get(CHANGELIST)

    content = response.content.decode()
    assert response.status_code == 200
    assert "personas-badge--error" in content and "Sync failed" in content
    assert "Import from Tavus" in content
    assert "personas/admin.css" in content
    assert any("TAVUS_API_KEY is empty" in message for message in _messages(response))


def test_add_page_offers_tavus_replicas_when_tavus_answers(admin, fake_tavus):
    response = admin.get(reverse("admin:personas_persona_add"))

    content = response.content.decode()
    assert response.status_code == 200
    assert '<select name="default_replica_id"' in content
    assert "Nathan (re8e740a42)" in content


def test_add_page_falls_back_to_a_typed_replica_id_and_says_why(admin):
    response = admin.get(reverse("admin:personas_persona_add"))

    content = response.content.decode()
    assert '<input type="text" name="default_replica_id"' in content
    assert 'value="re8e740a42"' in content
    assert "TAVUS_API_KEY is empty" in content


def test_replica_list_failure_is_explained(admin, fake_tavus):
    fake_tavus.fail_next(401, {"message": "Invalid access token"}, path_prefix="/replicas")

    content = admin.get(reverse("admin:personas_persona_add")).content.decode()

    assert '<input type="text" name="default_replica_id"' in content
    assert "refused our API key" in content


def test_add_creates_a_persona(admin):
    response = admin.post(reverse("admin:personas_persona_add"), _form(document_tags="a, b, a"))

    assert response.status_code == 302
    persona = Persona.objects.get()
    assert persona.name == "Coach" and persona.document_tags == ["a", "b"]
    assert persona.sync_state == SyncState.NEVER


def test_add_refuses_a_second_default_in_words(admin):
    _persona(name="DRAKO", is_default=True)

    response = admin.post(reverse("admin:personas_persona_add"), _form(is_default="on"))

    assert response.status_code == 200
    assert "already the default" in response.content.decode()


def test_change_page_previews_the_payload_with_the_key_masked(admin):
    persona = _persona(
        llm_model=Persona.LLMModel.CUSTOM,
        llm_custom_model="mine",
        llm_base_url="https://llm.example/v1",
        llm_api_key=SECRET,
        last_payload={"layers": {"llm": {"api_key": SECRET}}},
    )

    response = admin.get(_change_url(persona))

    content = response.content.decode()
    assert response.status_code == 200
    assert "JSON that will be sent" in content
    assert "&quot;base_url&quot;: &quot;https://llm.example/v1&quot;" in content
    assert services.SECRET_MASK in content
    assert SECRET not in content


def test_blank_key_keeps_the_saved_one_and_the_checkbox_removes_it(admin):
    persona = _persona(
        llm_model=Persona.LLMModel.CUSTOM,
        llm_custom_model="mine",
        llm_base_url="https://llm.example/v1",
        llm_api_key=SECRET,
    )
    custom = {
        "llm_model": "custom",
        "llm_custom_model": "mine",
        "llm_base_url": "https://llm.example/v1",
    }

    admin.post(_change_url(persona), _form(name="Renamed", **custom))
    persona.refresh_from_db()
    assert (persona.name, persona.llm_api_key) == ("Renamed", SECRET)

    admin.post(_change_url(persona), _form(clear_llm_api_key="on", **custom))
    persona.refresh_from_db()
    assert persona.llm_api_key == ""


def test_editing_a_synced_persona_marks_it_pending(admin, fake_tavus):
    persona = _persona()
    services.persona_sync(persona=persona)

    admin.post(_change_url(persona), _form(system_prompt="A new prompt."))

    persona.refresh_from_db()
    assert persona.sync_state == SyncState.PENDING
    content = admin.get(_change_url(persona)).content.decode()
    assert "&quot;path&quot;: &quot;/system_prompt&quot;" in content


def test_save_and_sync_button_syncs(admin, fake_tavus):
    persona = _persona()

    response = admin.post(_change_url(persona), _form(_sync="Save and sync"), follow=True)

    persona.refresh_from_db()
    assert persona.tavus_persona_id in fake_tavus.personas
    assert f"Coach: created on Tavus as {persona.tavus_persona_id}." in _messages(response)


# --- persona actions ----------------------------------------------------------------------------


def test_sync_action_reports_creation_then_the_changed_paths(admin, fake_tavus):
    persona = _persona()

    created = _act(admin, CHANGELIST, "sync_to_tavus", persona)
    persona.refresh_from_db()
    persona.name = "Coach 2"
    persona.save()
    updated = _act(admin, CHANGELIST, "sync_to_tavus", persona)

    assert created == [f"Coach: created on Tavus as {persona.tavus_persona_id}."]
    assert updated == ["Coach 2: updated on Tavus (/persona_name)."]


def test_sync_action_reports_the_failure(admin, fake_tavus):
    persona = _persona()
    fake_tavus.fail_next(500, {"error": "boom"}, path_prefix="/personas")

    messages = _act(admin, CHANGELIST, "sync_to_tavus", persona)

    assert messages == ["Coach: Tavus is having trouble (HTTP 500). Try later. (Tavus said: boom)"]
    persona.refresh_from_db()
    assert persona.sync_state == SyncState.ERROR


def test_import_button_reports_counts(admin, fake_tavus):
    response = admin.post(reverse("admin:personas_persona_import"), follow=True)

    stock = len(fake_tavus.system_personas)
    assert f"Imported from Tavus: {stock} new, 0 updated, 0 unchanged." in _messages(response)
    assert Persona.objects.filter(is_stock=True).count() == stock


def test_import_button_reports_the_failure(admin, fake_tavus):
    fake_tavus.fail_next(401, {"message": "Invalid access token"})

    response = admin.post(reverse("admin:personas_persona_import"), follow=True)

    (message,) = _messages(response)
    assert message.startswith("Import from Tavus failed: Tavus refused our API key.")


def test_import_needs_post(admin):
    assert admin.get(reverse("admin:personas_persona_import")).status_code == 405


def test_delete_action_reports_success_and_failure(admin, fake_tavus):
    persona = _persona()
    services.persona_sync(persona=persona)
    local = _persona(name="Local only")

    messages = _act(admin, CHANGELIST, "delete_on_tavus", persona, local)

    assert "Coach: deleted on Tavus; the local persona is kept." in messages
    assert "Local only: Local only is not on Tavus, so there is nothing to delete." in messages


# --- documents ----------------------------------------------------------------------------------


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _document(**fields) -> Document:
    values = {"name": "Handbook", "source_url": "https://example.com/handbook.pdf"}
    return Document.objects.create(**values | fields)


def test_document_changelist_warns_without_public_url(admin):
    _document()

    response = admin.get(DOCUMENTS)

    assert response.status_code == 200
    (warning,) = _messages(response)
    assert "Tavus cannot fetch uploaded documents" in warning
    assert "source URL still work" in warning


def test_document_changelist_has_no_warning_with_public_url(admin, settings):
    settings.DRAKO_PUBLIC_URL = "https://drako.example"

    assert _messages(admin.get(DOCUMENTS)) == []


def test_document_add_and_change_pages(admin, _media):
    upload = SimpleUploadedFile("notes.txt", b"Office hours.")
    data = {"name": "Notes", "source_url": "", "file": upload, "tags": "hr, policies"}

    response = admin.post(reverse("admin:personas_document_add"), data)

    assert response.status_code == 302
    document = Document.objects.get()
    assert document.tags == ["hr", "policies"] and document.filename == "notes.txt"
    page = admin.get(reverse("admin:personas_document_change", args=[document.pk]))
    assert "DRAKO_PUBLIC_URL is empty, so Tavus cannot fetch this file." in page.content.decode()


def test_document_without_url_or_file_is_refused(admin):
    data = {"name": "Nothing", "source_url": "", "tags": ""}

    response = admin.post(reverse("admin:personas_document_add"), data)

    assert response.status_code == 200
    assert "Give a source URL or upload a file." in response.content.decode()


def test_document_actions_report_each_outcome(admin, fake_tavus):
    document = _document()

    created = _act(admin, DOCUMENTS, "create_on_tavus", document)
    document.refresh_from_db()
    fake_tavus.set_document_status(document.tavus_document_id, "ready")
    refreshed = _act(admin, DOCUMENTS, "refresh_status", document)
    deleted = _act(admin, DOCUMENTS, "delete_on_tavus", document)

    assert f"Handbook: sent to Tavus ({document.tavus_document_id})" in created[0]
    assert refreshed[0] == "Handbook: ready."
    assert deleted[0] == "Handbook: deleted on Tavus; the local document is kept."


def test_document_actions_report_failures(admin, fake_tavus):
    document = _document()
    fake_tavus.fail_next(500, method="POST")

    created = _act(admin, DOCUMENTS, "create_on_tavus", document)
    refreshed = _act(admin, DOCUMENTS, "refresh_status", document)
    deleted = _act(admin, DOCUMENTS, "delete_on_tavus", document)

    assert "Handbook: Tavus is having trouble (HTTP 500)" in created[0]
    assert refreshed[0] == "Handbook: Handbook is not on Tavus yet; use 'Create on Tavus' first."
    assert deleted[0] == "Handbook: Handbook is not on Tavus, so there is nothing to delete."


def test_document_status_badge_shows_tavus_errors(admin, fake_tavus):
    document = _document()
    services.document_create_on_tavus(document=document)
    fake_tavus.set_document_status(document.tavus_document_id, "error", "invalid_file_url")

    messages = _act(admin, DOCUMENTS, "refresh_status", document)
    content = admin.get(DOCUMENTS).content.decode()

    assert messages[0] == "Handbook: Tavus could not process it (invalid_file_url)."
    assert "personas-badge--error" in content

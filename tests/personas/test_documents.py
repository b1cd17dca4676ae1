"""Documents: create on Tavus (URL or uploaded file), refresh status, delete, and the secret URL."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from personas import services
from personas.models import Document, Persona, SyncState

pytestmark = pytest.mark.django_db

PUBLIC_URL = "https://drako.example"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _url_document(**fields) -> Document:
    values = {"name": "Handbook", "source_url": "https://example.com/handbook.pdf", "tags": ["hr"]}
    return Document.objects.create(**values | fields)


def _uploaded_document(
    name: str = "notes.txt", content: bytes = b"Office hours: 9 to 5."
) -> Document:
    return Document.objects.create(name="Notes", file=SimpleUploadedFile(name, content))


def _on_tavus(fake_tavus) -> Document:
    document = _url_document()
    services.document_create_on_tavus(document=document)
    fake_tavus.requests.clear()
    return document


def test_create_from_url_sends_url_name_and_tags(fake_tavus):
    document = _url_document()

    services.document_create_on_tavus(document=document)

    (request,) = fake_tavus.requests
    assert (request.method, request.path) == ("POST", "/v2/documents")
    assert request.json == {
        "document_url": "https://example.com/handbook.pdf",
        "document_name": "Handbook",
        "tags": ["hr"],
    }
    document.refresh_from_db()
    assert document.tavus_document_id in fake_tavus.documents
    assert document.status == Document.Status.STARTED
    assert document.last_checked_at is not None


def test_create_from_upload_sends_the_secret_public_url(fake_tavus, settings, client):
    settings.DRAKO_PUBLIC_URL = PUBLIC_URL
    document = _uploaded_document()

    services.document_create_on_tavus(document=document)

    sent = fake_tavus.requests[0].json["document_url"]
    assert sent == f"{PUBLIC_URL}/documents/{document.public_token}/notes.txt"
    response = client.get(sent.removeprefix(PUBLIC_URL))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"Office hours: 9 to 5."


def test_upload_without_public_url_is_refused_in_words(fake_tavus):
    document = _uploaded_document()

    with pytest.raises(services.TavusSyncError, match="DRAKO_PUBLIC_URL is empty"):
        services.document_create_on_tavus(document=document)

    document.refresh_from_db()
    assert fake_tavus.requests == []
    assert "DRAKO_PUBLIC_URL is empty" in document.last_error
    assert document.status == Document.Status.NEW


def test_failed_create_keeps_the_document_and_records_the_error(fake_tavus):
    document = _url_document()
    fake_tavus.fail_next(429, {"error": "Crawl document limit reached (100)."}, method="POST")

    with pytest.raises(services.TavusSyncError, match="rate limiting"):
        services.document_create_on_tavus(document=document)

    document.refresh_from_db()
    assert document.tavus_document_id == "" and document.name == "Handbook"
    assert "Crawl document limit reached" in document.last_error


def test_create_marks_linked_synced_personas_pending(fake_tavus):
    persona = Persona.objects.create(name="P", system_prompt="Hi.")
    services.persona_sync(persona=persona)
    document = _url_document()
    persona.documents.add(document)

    services.document_create_on_tavus(document=document)

    persona.refresh_from_db()
    assert persona.sync_state == SyncState.PENDING


@pytest.mark.parametrize(
    ("status", "error_message", "expected"),
    [
        ("processing", None, Document.Status.PROCESSING),
        ("ready", None, Document.Status.READY),
        ("error", "file_format_unsupported", Document.Status.ERROR),
    ],
)
def test_refresh_status_follows_tavus(fake_tavus, status, error_message, expected):
    document = _on_tavus(fake_tavus)
    fake_tavus.set_document_status(document.tavus_document_id, status, error_message, progress=40)

    services.document_refresh_status(document=document)

    document.refresh_from_db()
    assert document.status == expected
    assert document.error_message == (error_message or "")
    assert fake_tavus.requests[0].path == f"/v2/documents/{document.tavus_document_id}"


def test_refresh_of_a_document_tavus_lost_says_what_to_do(fake_tavus):
    document = _on_tavus(fake_tavus)
    del fake_tavus.documents[document.tavus_document_id]

    with pytest.raises(services.TavusSyncError, match="no longer has this document"):
        services.document_refresh_status(document=document)

    document.refresh_from_db()
    assert document.status == Document.Status.STARTED
    assert "Delete on Tavus" in document.last_error


def test_refresh_of_a_local_document_is_refused():
    with pytest.raises(services.TavusSyncError, match="not on Tavus yet"):
        services.document_refresh_status(document=_url_document())


def test_delete_on_tavus_forgets_the_id_and_keeps_the_document(fake_tavus):
    document = _on_tavus(fake_tavus)
    tavus_id = document.tavus_document_id

    services.document_delete_on_tavus(document=document)

    document.refresh_from_db()
    assert tavus_id not in fake_tavus.documents
    assert document.tavus_document_id == "" and document.status == Document.Status.NEW
    assert Document.objects.filter(pk=document.pk).exists()


def test_failed_delete_keeps_the_id(fake_tavus):
    document = _on_tavus(fake_tavus)
    fake_tavus.fail_next(500, method="DELETE")

    with pytest.raises(services.TavusSyncError):
        services.document_delete_on_tavus(document=document)

    document.refresh_from_db()
    assert document.tavus_document_id in fake_tavus.documents
    assert "HTTP 500" in document.last_error


# --- the secret file URL ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("notes.txt", b"plain words", "text/plain"),
        ("handbook.pdf", b"%PDF-1.4 fake", "application/pdf"),
    ],
)
def test_secret_url_serves_the_file_with_its_content_type(client, name, content, content_type):
    document = _uploaded_document(name, content)

    response = client.get(f"/documents/{document.public_token}/{name}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert b"".join(response.streaming_content) == content


def test_wrong_token_or_filename_is_404(client):
    document = _uploaded_document()
    url_document = _url_document()

    assert client.get("/documents/not-the-token/notes.txt").status_code == 404
    assert client.get(f"/documents/{document.public_token}/other.txt").status_code == 404
    assert client.get(f"/documents/{url_document.public_token}/handbook.pdf").status_code == 404


def test_secret_url_refuses_writes(client):
    document = _uploaded_document()

    assert client.post(f"/documents/{document.public_token}/notes.txt").status_code == 405


@pytest.mark.parametrize("name", ["page.html", "drawing.svg", "notes.txt"])
def test_documents_are_downloads_in_a_sandbox_never_pages_of_ours(client, name):
    document = _uploaded_document(name, b"<script>alert(document.cookie)</script>")

    response = client.get(f"/documents/{document.public_token}/{name}")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    directives = {d.strip() for d in response["Content-Security-Policy"].split(";")}
    assert {"sandbox", "default-src 'none'"} <= directives


@pytest.mark.parametrize(
    "path",
    ["/documents/%00/notes.txt", "/documents/TOKEN%00/notes.txt", "/documents/TOKEN/notes%00.txt"],
)
def test_a_nul_byte_in_a_document_url_is_a_404_not_a_500(path):
    from django.test import Client

    document = _uploaded_document()
    client = Client(raise_request_exception=False)
    assert client.get(path.replace("TOKEN", document.public_token)).status_code == 404

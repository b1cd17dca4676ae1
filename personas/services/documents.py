"""Knowledge documents at Tavus: create (from a URL or our secret file URL), refresh, delete."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from drako import tavus
from personas.errors import TavusSyncError
from personas.models import Document
from personas.services.personas import persona_note_local_change

_DOCUMENT_FIELDS = [
    "tavus_document_id",
    "status",
    "progress",
    "error_message",
    "last_error",
    "last_checked_at",
    "updated_at",
]
_TAVUS_STATUSES = {
    "started": Document.Status.STARTED,
    "processing": Document.Status.PROCESSING,
    "recrawling": Document.Status.PROCESSING,
    "ready": Document.Status.READY,
    "error": Document.Status.ERROR,
}


def document_public_url(*, document: Document) -> str:
    """The secret URL Tavus fetches an uploaded file from; empty without DRAKO_PUBLIC_URL."""
    base = (settings.DRAKO_PUBLIC_URL or "").rstrip("/")
    if not base or not document.file:
        return ""
    kwargs = {"token": document.public_token, "filename": document.filename}
    return base + reverse("personas:document-file", kwargs=kwargs)


def document_create_on_tavus(*, document: Document) -> Document:
    """Ask Tavus to fetch and index the document (from its URL or our secret file URL)."""
    if document.tavus_document_id:
        raise TavusSyncError(
            f"{document.name} is already on Tavus; use 'Refresh status' to see how it is doing."
        )
    url = document.source_url or document_public_url(document=document)
    if not url:
        raise _document_failed(
            document,
            "DRAKO_PUBLIC_URL is empty, so Tavus cannot fetch uploaded files. Set it to this "
            "server's public address, or give the document a source URL.",
        )
    try:
        info = tavus.create_document(
            document_url=url, document_name=document.name, tags=document.tags or []
        )
    except tavus.TavusError as error:
        raise _document_failed(document, error.message) from error
    document.tavus_document_id = info.document_id
    _apply_status(document, info)
    _note_personas_of(document)
    return document


def document_refresh_status(*, document: Document) -> Document:
    """Fetch the document's processing status (started → processing → ready | error) from Tavus."""
    if not document.tavus_document_id:
        raise TavusSyncError(f"{document.name} is not on Tavus yet; use 'Create on Tavus' first.")
    try:
        info = tavus.get_document(document_id=document.tavus_document_id)
    except tavus.TavusNotFound as error:
        raise _document_failed(
            document,
            "Tavus no longer has this document. Use 'Delete on Tavus' to forget the old id, "
            "then 'Create on Tavus' again.",
        ) from error
    except tavus.TavusError as error:
        raise _document_failed(document, error.message) from error
    _apply_status(document, info)
    return document


def document_delete_on_tavus(*, document: Document) -> None:
    """Delete the document at Tavus and forget its Tavus id; the local document stays."""
    if not document.tavus_document_id:
        raise TavusSyncError(f"{document.name} is not on Tavus, so there is nothing to delete.")
    try:
        tavus.delete_document(document_id=document.tavus_document_id)
    except tavus.TavusNotFound:
        pass  # Already gone at Tavus: the goal holds.
    except tavus.TavusError as error:
        raise _document_failed(document, error.message) from error
    document.tavus_document_id, document.status = "", Document.Status.NEW
    document.progress, document.error_message, document.last_error = None, "", ""
    document.last_checked_at = None
    document.save(update_fields=_DOCUMENT_FIELDS)
    _note_personas_of(document)


def _apply_status(document: Document, info: tavus.DocumentInfo) -> None:
    document.status = _TAVUS_STATUSES.get(info.status, Document.Status.PROCESSING)
    progress = info.progress
    document.progress = None if progress is None else max(0, min(100, int(progress)))
    document.error_message = info.error_message or ""
    document.last_error, document.last_checked_at = "", timezone.now()
    document.save(update_fields=_DOCUMENT_FIELDS)


def _document_failed(document: Document, message: str) -> TavusSyncError:
    document.last_error = message
    Document.objects.filter(pk=document.pk).update(last_error=message)
    return TavusSyncError(message)


def _note_personas_of(document: Document) -> None:
    # A persona sends the Tavus ids of its documents, so their payload just changed.
    for persona in document.personas.all():
        persona_note_local_change(persona=persona)

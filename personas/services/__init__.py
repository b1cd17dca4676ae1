"""Writes to personas and documents and their sync with Tavus; the admin and commands call these.

Every failure talking to Tavus is recorded on the object (`sync_state`/`last_error`) without
touching its local fields, then raised as TavusSyncError whose `message` a person can act on.
"""

from personas.errors import TavusSyncError
from personas.services.documents import (
    document_create_on_tavus,
    document_delete_on_tavus,
    document_public_url,
    document_refresh_status,
)
from personas.services.payload import (
    SECRET_MASK,
    payload_without_secrets,
    persona_build_payload,
    persona_pending_operations,
)
from personas.services.personas import (
    ImportResult,
    SyncResult,
    persona_delete_on_tavus,
    persona_get_default,
    persona_import_from_tavus,
    persona_note_local_change,
    persona_sync,
)

__all__ = [
    "SECRET_MASK",
    "ImportResult",
    "SyncResult",
    "TavusSyncError",
    "document_create_on_tavus",
    "document_delete_on_tavus",
    "document_public_url",
    "document_refresh_status",
    "payload_without_secrets",
    "persona_build_payload",
    "persona_delete_on_tavus",
    "persona_get_default",
    "persona_import_from_tavus",
    "persona_note_local_change",
    "persona_pending_operations",
    "persona_sync",
]

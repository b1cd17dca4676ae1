"""The personas admin: personas and documents, with their Tavus sync actions."""

from personas.admin.documents import DocumentAdmin
from personas.admin.personas import PersonaAdmin

__all__ = ["DocumentAdmin", "PersonaAdmin"]

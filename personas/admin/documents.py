"""Document admin: knowledge documents, their creation at Tavus and their processing status."""

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse

from personas import services
from personas.admin.common import ADMIN_MEDIA_CSS, badge, run_each
from personas.admin.forms import DocumentForm
from personas.models import Document

_STATUS_KIND = {
    Document.Status.NEW: "never",
    Document.Status.STARTED: "pending",
    Document.Status.PROCESSING: "pending",
    Document.Status.READY: "synced",
    Document.Status.ERROR: "error",
}


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    form = DocumentForm
    list_display = (
        "name",
        "source",
        "tags_text",
        "status_badge",
        "tavus_document_id",
        "last_checked_at",
    )
    list_filter = ("status",)
    search_fields = ("name", "source_url", "tavus_document_id")
    actions = ("create_on_tavus", "refresh_status", "delete_on_tavus")
    readonly_fields = (
        "tavus_document_id",
        "status_badge",
        "error_message",
        "last_error",
        "last_checked_at",
        "public_url",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("name", "source_url", "file", "tags")}),
        ("Tavus", {"fields": readonly_fields}),
    )

    class Media:
        css = ADMIN_MEDIA_CSS

    @admin.display(description="Source")
    def source(self, document: Document) -> str:
        return document.source_url or f"Uploaded: {document.filename}"

    @admin.display(description="Tags")
    def tags_text(self, document: Document) -> str:
        return ", ".join(document.tags or [])

    @admin.display(description="Status", ordering="status")
    def status_badge(self, document: Document) -> str:
        text = document.get_status_display()
        if document.status == Document.Status.PROCESSING and document.progress is not None:
            text = f"{text} {document.progress}%"
        title = document.last_error or document.error_message
        return badge(_STATUS_KIND[document.status], text, title)

    @admin.display(description="URL Tavus fetches the upload from")
    def public_url(self, document: Document) -> str:
        if not document.file:
            return "—"
        return services.document_public_url(document=document) or (
            "None: DRAKO_PUBLIC_URL is empty, so Tavus cannot fetch this file."
        )

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if request.method == "GET" and not settings.DRAKO_PUBLIC_URL:
            self.message_user(
                request,
                "DRAKO_PUBLIC_URL is empty, so Tavus cannot fetch uploaded documents. Documents "
                "with a source URL still work; set DRAKO_PUBLIC_URL to this server's public "
                "address to use uploads.",
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    @admin.action(description="Create on Tavus", permissions=["change"])
    def create_on_tavus(self, request: HttpRequest, queryset: Any) -> None:
        run_each(
            self,
            request,
            queryset,
            lambda document: services.document_create_on_tavus(document=document),
            lambda document, _: (
                f"{document.name}: sent to Tavus ({document.tavus_document_id}); "
                "processing takes a few minutes, then use 'Refresh status'."
            ),
        )

    @admin.action(description="Refresh status from Tavus", permissions=["view"])
    def refresh_status(self, request: HttpRequest, queryset: Any) -> None:
        run_each(
            self,
            request,
            queryset,
            lambda document: services.document_refresh_status(document=document),
            _status_message,
        )

    @admin.action(description="Delete on Tavus (keeps the local document)", permissions=["change"])
    def delete_on_tavus(self, request: HttpRequest, queryset: Any) -> None:
        run_each(
            self,
            request,
            queryset,
            lambda document: services.document_delete_on_tavus(document=document),
            lambda document, _: f"{document.name}: deleted on Tavus; the local document is kept.",
        )


def _status_message(document: Document, _result: Any) -> str:
    if document.status == Document.Status.ERROR:
        reason = document.error_message or "no reason given"
        return f"{document.name}: Tavus could not process it ({reason})."
    return f"{document.name}: {document.get_status_display().lower()}."

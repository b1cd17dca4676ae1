"""Persona admin: edit, preview the exact JSON for Tavus, sync, import and delete there."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.forms import Field
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.views.decorators.http import require_POST

from drako import tavus
from personas import services
from personas.admin.common import ADMIN_MEDIA_CSS, badge, pretty_json, run_each
from personas.admin.forms import PersonaForm, replica_field
from personas.models import Persona
from personas.services.check import tavus_check


def _sync_message(persona: Persona, result: services.SyncResult) -> str:
    if result.created:
        return f"{persona.name}: created on Tavus as {persona.tavus_persona_id}."
    if result.operations:
        paths = ", ".join(operation["path"] for operation in result.operations)
        return f"{persona.name}: updated on Tavus ({paths})."
    return f"{persona.name}: already up to date on Tavus."


@admin.register(Persona)
class PersonaAdmin(admin.ModelAdmin):
    form = PersonaForm
    change_list_template = "admin/personas/persona/change_list.html"
    change_form_template = "admin/personas/persona/change_form.html"
    list_display = (
        "name",
        "sync_badge",
        "is_default",
        "user_selectable",
        "llm_model",
        "tts_engine",
        "tavus_persona_id",
        "last_synced_at",
    )
    list_filter = ("sync_state", "is_default", "user_selectable", "is_stock", "llm_model")
    search_fields = ("name", "tavus_persona_id")
    filter_horizontal = ("documents",)
    actions = ("sync_to_tavus", "delete_on_tavus")
    readonly_fields = (
        "tavus_persona_id",
        "is_stock",
        "sync_badge",
        "last_synced_at",
        "last_error",
        "payload_preview",
        "pending_patch",
        "last_payload_sent",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("name", "is_default", "user_selectable", "writes_need_confirmation")}),
        (
            "Behaviour",
            {"fields": ("system_prompt", "default_replica_id", "pipeline_mode", "tool_delivery")},
        ),
        (
            "Language model",
            {
                "fields": (
                    "llm_model",
                    "llm_custom_model",
                    "llm_base_url",
                    "llm_api_key",
                    "clear_llm_api_key",
                    "speculative_inference",
                )
            },
        ),
        (
            "Voice and turn-taking",
            {
                "fields": (
                    "tts_engine",
                    "tts_voice_id",
                    "tts_model_name",
                    "tts_emotion_control",
                    "stt_hotwords",
                    "turn_detection_model",
                    "turn_taking_patience",
                    "replica_interruptibility",
                )
            },
        ),
        ("Privacy", {"fields": ("perception_model", "eu_policy")}),
        ("Knowledge", {"fields": ("documents", "document_tags")}),
        (
            "Conversation limits (sent with each conversation)",
            {
                "fields": (
                    "max_call_duration_seconds",
                    "participant_left_timeout_seconds",
                    "participant_absent_timeout_seconds",
                )
            },
        ),
        ("Tavus", {"fields": readonly_fields}),
    )

    class Media:
        css = ADMIN_MEDIA_CSS

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Field:
        if db_field.name == "default_replica_id":
            return replica_field()
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    # --- display ---------------------------------------------------------------------------

    @admin.display(description="Sync state", ordering="sync_state")
    def sync_badge(self, persona: Persona) -> str:
        return badge(persona.sync_state, persona.get_sync_state_display(), persona.last_error)

    @admin.display(description="JSON that will be sent")
    def payload_preview(self, persona: Persona) -> str:
        if not persona.pk:
            return "Save the persona to see the JSON DRAKO will send to Tavus."
        payload = services.persona_build_payload(persona=persona)
        return pretty_json(services.payload_without_secrets(payload))

    @admin.display(description="Patch the next sync sends")
    def pending_patch(self, persona: Persona) -> str:
        operations = services.persona_pending_operations(persona=persona) if persona.pk else None
        if operations is None:
            return "The persona is not on Tavus yet: syncing creates it with the JSON above."
        if not operations:
            return "Nothing: Tavus already has all of this."
        return pretty_json(operations)

    @admin.display(description="Last payload sent")
    def last_payload_sent(self, persona: Persona) -> str:
        if not persona.last_payload:
            return "Nothing sent yet."
        return pretty_json(services.payload_without_secrets(persona.last_payload))

    # --- saving ----------------------------------------------------------------------------

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Documents are saved here, after the persona, so the payload is only complete now.
        services.persona_note_local_change(persona=form.instance)

    def response_add(self, request: HttpRequest, obj: Model, post_url_continue: Any = None):
        self._sync_if_asked(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request: HttpRequest, obj: Model) -> HttpResponse:
        if self._sync_if_asked(request, obj):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def _sync_if_asked(self, request: HttpRequest, persona: Any) -> bool:
        if "_sync" not in request.POST:
            return False
        run_each(self, request, [persona], self._sync_one, _sync_message)
        return True

    # --- actions ---------------------------------------------------------------------------

    @staticmethod
    def _sync_one(persona: Persona) -> services.SyncResult:
        return services.persona_sync(persona=persona)

    @admin.action(description="Sync to Tavus", permissions=["change"])
    def sync_to_tavus(self, request: HttpRequest, queryset: Any) -> None:
        run_each(self, request, queryset, self._sync_one, _sync_message)

    @admin.action(description="Delete on Tavus (keeps the local persona)", permissions=["change"])
    def delete_on_tavus(self, request: HttpRequest, queryset: Any) -> None:
        run_each(
            self,
            request,
            queryset,
            lambda persona: services.persona_delete_on_tavus(persona=persona),
            lambda persona, _: f"{persona.name}: deleted on Tavus; the local persona is kept.",
        )

    # --- import ----------------------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(require_POST(self.import_view))
        check = self.admin_site.admin_view(require_POST(self.check_view))
        return [
            path("import-from-tavus/", view, name="personas_persona_import"),
            path("check-tavus/", check, name="personas_persona_check"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        try:
            result = services.persona_import_from_tavus()
        except services.TavusSyncError as error:
            self.message_user(request, f"Import from Tavus failed: {error.message}", messages.ERROR)
        else:
            self.message_user(
                request,
                f"Imported from Tavus: {result.created} new, {result.updated} updated, "
                f"{result.unchanged} unchanged.",
                messages.SUCCESS,
            )
        return redirect("admin:personas_persona_changelist")

    def check_view(self, request: HttpRequest) -> HttpResponse:
        """`manage.py tavus_check`, from the admin: every check with its fix, on one page."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        checks = tavus_check()
        context = {
            **self.admin_site.each_context(request),
            "title": "Check Tavus",
            "opts": self.model._meta,
            "checks": checks,
            "failed": sum(not check.ok for check in checks),
        }
        return TemplateResponse(request, "admin/personas/persona/tavus_check.html", context)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if request.method == "GET" and not tavus.is_configured():
            self.message_user(
                request,
                "Tavus is not configured (TAVUS_API_KEY is empty): personas stay local and the "
                "Tavus actions will fail until it is set.",
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

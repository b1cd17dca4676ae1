import json

from django.contrib import admin, messages
from django.utils.html import format_html

from conversations import services
from conversations.errors import ConversationError
from conversations.models import LIVE_STATUSES, Conversation, ConversationEvent, Proposal, ToolCall


class ConversationEventInline(admin.TabularInline):
    model = ConversationEvent
    extra = 0
    can_delete = False
    fields = ("event_type", "occurred_at", "received_at", "pretty_payload")
    readonly_fields = fields

    @admin.display(description="payload")
    def pretty_payload(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.payload, indent=2)[:5000])

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "user",
        "persona",
        "status",
        "created_at",
        "duration_seconds",
        "test_mode",
    )
    list_filter = ("status", "test_mode", "persona")
    search_fields = ("user__username", "tavus_conversation_id")
    list_select_related = ("user", "persona")
    date_hierarchy = "created_at"
    inlines = [ConversationEventInline]
    actions = ["end_at_tavus"]
    readonly_fields = (
        "user",
        "persona",
        "status",
        "tavus_conversation_id",
        "conversation_url",
        "context_sent",
        "pretty_request",
        "test_mode",
        "writes_need_confirmation",
        "max_call_seconds",
        "created_at",
        "started_at",
        "joined_at",
        "ended_at",
        "shutdown_reason",
        "failure_reason",
        "transcript",
        "recording",
        "perception_analysis",
    )
    exclude = ("request_payload", "callback_secret")

    @admin.display(description="request sent to Tavus")
    def pretty_request(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.request_payload, indent=2))

    def has_add_permission(self, request):
        return False

    @admin.action(description="End at Tavus")
    def end_at_tavus(self, request, queryset):
        ended, failures = 0, []
        for conversation in queryset.filter(status__in=LIVE_STATUSES):
            try:
                services.conversation_end(conversation=conversation, reason="ended by an admin")
                ended += 1
            except ConversationError as exc:
                failures.append(f"conversation {conversation.pk}: {exc.message}")
        if ended:
            self.message_user(request, f"Ended {ended} conversation(s).", messages.SUCCESS)
        for failure in failures:
            self.message_user(request, f"Could not end {failure}", messages.ERROR)
        if not ended and not failures:
            self.message_user(request, "None of those conversations was live.", messages.WARNING)


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record of what happened: visible to staff, never edited by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ToolCall)
class ToolCallAdmin(ReadOnlyAdmin):
    list_display = ("name", "conversation", "user", "ok", "via", "duration_ms", "created_at")
    list_filter = ("name", "ok", "via")
    search_fields = (
        "conversation__user__username",
        "name",
        "utterance",
        "tool_call_id",
        "inference_id",
    )
    list_select_related = ("conversation__user",)
    date_hierarchy = "created_at"

    @admin.display(ordering="conversation__user__username")
    def user(self, obj):
        return obj.conversation.user


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ("summary", "conversation", "kind", "state", "created_at", "decided_at")
    list_filter = ("kind", "state")
    search_fields = ("summary", "conversation__user__username")
    list_select_related = ("conversation",)
    date_hierarchy = "created_at"

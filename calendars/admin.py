"""Connected calendars in the admin: their sync state and last error, never their credentials."""

from django.contrib import admin, messages

from calendars import services
from calendars.models import Calendar


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "kind", "status", "last_synced_at", "last_attempt_at")
    list_filter = ("kind", "status")
    search_fields = ("name", "owner__username")
    list_select_related = ("owner",)
    # The password (encrypted or not), the username and the feed's secret address stay out of
    # every admin page: a feed URL is itself a credential (Google's "secret address").
    fields = (
        "owner",
        "name",
        "kind",
        "status",
        "last_synced_at",
        "last_attempt_at",
        "last_error",
        "created_at",
    )
    readonly_fields = fields
    actions = ("sync_now",)

    def has_add_permission(self, request) -> bool:
        return False  # connecting needs the owner's address and password: their profile does it

    @admin.action(description="Sync the selected calendars now")
    def sync_now(self, request, queryset):
        for calendar in queryset.select_related("owner"):
            services.calendar_sync(calendar=calendar)
        self.message_user(request, "Synced.", messages.SUCCESS)

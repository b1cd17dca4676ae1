"""Events and their change log in the admin: writes go through the services like everywhere else."""

from django import forms
from django.contrib import admin, messages

from schedules import services
from schedules.models import Event, EventChange, Notice, PushSubscription


class EventAdminForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = ("owner", *services.EDITABLE_FIELDS)

    def clean(self):
        # The service's own rules, asked here so they show on the form instead of failing
        # after the admin has decided to save.
        data = super().clean()
        owner = data.get("owner") or getattr(self.instance, "owner", None)
        candidate = Event(**{name: data.get(name) for name in services.EDITABLE_FIELDS})
        tz = owner.tz if owner is not None else None
        for field, message in services.event_problems(candidate, tz=tz):
            if field not in self.errors:
                self.add_error(field if field in self.fields else None, message)
        return data


def _context(request) -> services.ChangeContext:
    return services.ChangeContext(source=Event.Source.ADMIN, actor=request.user)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    form = EventAdminForm
    list_display = ("title", "owner", "start", "end", "status", "show_as", "source")
    list_filter = ("status", "show_as", "source")
    search_fields = ("title", "owner__username")
    list_select_related = ("owner",)
    date_hierarchy = "start"
    raw_id_fields = ("owner",)
    readonly_fields = ("status", "source", "created_at", "updated_at")
    actions = ("cancel_events",)
    fieldsets = (
        (None, {"fields": ("owner", "title", ("start", "end"), "all_day")}),
        ("Details", {"fields": ("location", "notes", "show_as", "recurrence", "reminders")}),
        ("Record", {"fields": ("status", "source", "created_at", "updated_at")}),
    )

    def get_readonly_fields(self, request, obj=None):
        # The services never move an event to another owner.
        return (*self.readonly_fields, "owner") if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        """Creates or updates through the services (conflicts allowed: staff know best)."""
        values = {name: form.cleaned_data[name] for name in services.EDITABLE_FIELDS}
        if change:
            services.event_update(
                event=obj, changes=values, allow_conflict=True, context=_context(request)
            )
            return
        event, _change = services.event_create(
            owner=obj.owner, **values, allow_conflict=True, context=_context(request)
        )
        obj.pk = event.pk
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        services.event_delete(event=obj, context=_context(request))

    def delete_queryset(self, request, queryset):
        for event in queryset.select_related("owner"):
            services.event_delete(event=event, context=_context(request))

    @admin.action(description="Cancel the selected events", permissions=["change"])
    def cancel_events(self, request, queryset):
        cancelled = 0
        for event in queryset.select_related("owner"):
            _event, record = services.event_cancel(event=event, context=_context(request))
            cancelled += record is not None
        self.message_user(request, f"Cancelled {cancelled} event(s).", messages.SUCCESS)


@admin.register(EventChange)
class EventChangeAdmin(admin.ModelAdmin):
    """The change log is a record: readable here, never edited."""

    list_display = ("created_at", "action", "title", "owner", "source", "actor", "event")
    list_filter = ("action", "source")
    search_fields = ("owner__username", "event__title", "before__title", "after__title")
    list_select_related = ("owner", "actor", "event")
    date_hierarchy = "created_at"
    fields = (
        "created_at", "owner", "event", "action", "source", "actor", "utterance",
        "reverts", "before", "after",
    )  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    """Reminders and summaries sent (or failed, with why): a record, never edited."""

    list_display = ("kind", "owner", "due_at", "channel", "outcome", "error")
    list_filter = ("kind", "outcome", "channel")
    search_fields = ("owner__username",)
    list_select_related = ("owner",)
    date_hierarchy = "due_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PushSubscription)
class PushSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("owner", "created_at")
    search_fields = ("owner__username",)
    list_select_related = ("owner",)
    # The browser's keys stay out of the admin: they encrypt messages to that browser.
    fields = readonly_fields = ("owner", "endpoint", "created_at")

    def has_add_permission(self, request):
        return False

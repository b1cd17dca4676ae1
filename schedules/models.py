from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

# Events longer than this are refused; it also bounds the window query to one index range scan.
MAX_EVENT_LENGTH = timedelta(days=14)
# The days a schedule can hold (and the grids can show): far enough for any plan, and far enough
# from datetime's limits that zone arithmetic around them cannot overflow.
FIRST_DAY, LAST_DAY = date(1900, 1, 8), date(2999, 12, 24)
TITLE_MAX = 200
LOCATION_MAX = 200
NOTES_MAX = 5000


class Event(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        CANCELLED = "cancelled", "Cancelled"

    class ShowAs(models.TextChoices):
        BUSY = "busy", "Busy"
        FREE = "free", "Free"

    class Source(models.TextChoices):
        WEB = "web", "Web page"
        API = "api", "API"
        ASSISTANT = "assistant", "Assistant"
        ADMIN = "admin", "Admin"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="events"
    )
    title = models.CharField(max_length=TITLE_MAX)
    start = models.DateTimeField()
    end = models.DateTimeField()
    all_day = models.BooleanField(default=False)
    location = models.CharField(max_length=LOCATION_MAX, blank=True)
    notes = models.TextField(max_length=NOTES_MAX, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.CONFIRMED)
    show_as = models.CharField(max_length=4, choices=ShowAs, default=ShowAs.BUSY)
    source = models.CharField(max_length=10, choices=Source, default=Source.WEB)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="event_end_after_start"
            ),
            # MAX_EVENT_LENGTH is enforced by the services: duration arithmetic in a CHECK
            # is not portable to SQLite.
            models.CheckConstraint(condition=~models.Q(title=""), name="event_title_not_empty"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("notes"), NOTES_MAX), name="event_notes_bounded"
            ),
        ]
        indexes = [
            # "This user's events in this window": owner equality + a range on start.
            models.Index(fields=["owner", "start"], name="event_owner_start"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.start:%Y-%m-%d %H:%M} UTC)"

    @property
    def is_busy(self) -> bool:
        return self.status == self.Status.CONFIRMED and self.show_as == self.ShowAs.BUSY

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


class EventChange(models.Model):
    """One change to one event: before and after, who or what made it, and whether it was undone."""

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        MOVE = "move", "Moved"
        CANCEL = "cancel", "Cancelled"
        DELETE = "delete", "Deleted"
        UNDO = "undo", "Undone"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_changes"
    )
    event = models.ForeignKey(
        Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes"
    )
    action = models.CharField(max_length=10, choices=Action)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Event.Source)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    utterance = models.TextField(blank=True)
    reverts = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reverted_by"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="eventchange_owner_recent")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.title!r}"

    @property
    def title(self) -> str:
        return (self.after or self.before or {}).get("title", "")

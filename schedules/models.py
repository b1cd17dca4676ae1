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
RULE_MAX = 300


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

    # No index of its own: the (owner, …) index below leads with it, and a second index on
    # the owner alone misled PostgreSQL into reading all of a heavy user's rows.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="events", db_index=False
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
    # A series: an RFC 5545 RRULE value; `start`/`end` are its first occurrence, and every later
    # one starts at the same wall time in `time_zone` (schedules.recurrence). Empty: one event.
    recurrence = models.CharField(max_length=RULE_MAX, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    # Where the last occurrence ends (null: the series never ends); bounds the window query.
    recurrence_end = models.DateTimeField(null=True, blank=True)
    # One occurrence moved, changed or cancelled: its own row, replacing the occurrence of
    # `series` that would have started at `recurrence_id` (RFC 5545's RECURRENCE-ID).
    # DO_NOTHING, so deleting a single event costs no look-up for exceptions it can't have:
    # the services delete a series' exceptions first (schedules.services._delete).
    series = models.ForeignKey(
        "self", on_delete=models.DO_NOTHING, null=True, blank=True, related_name="exceptions"
    )
    recurrence_id = models.DateTimeField(null=True, blank=True)
    # Minutes before the start to remind the owner, each occurrence of a series alike
    # (schedules.reminders); [] reminds nothing.
    reminders = models.JSONField(default=list, blank=True)
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
            models.CheckConstraint(
                condition=models.Q(series__isnull=True, recurrence_id__isnull=True)
                | models.Q(series__isnull=False, recurrence_id__isnull=False, recurrence=""),
                name="event_exception_of_a_series",
            ),
            models.UniqueConstraint(
                fields=["series", "recurrence_id"],
                condition=models.Q(series__isnull=False),
                name="event_one_exception_per_occurrence",
            ),
        ]
        indexes = [
            # "This user's events in this window": owner equality + a range on start.
            models.Index(fields=["owner", "start"], name="event_owner_start"),
            # "This user's series begun before this window ends": the window query's series
            # arm. Without it PostgreSQL read the user's every past event through
            # event_owner_start to find the few series among them.
            models.Index(
                fields=["owner", "start"],
                condition=~models.Q(recurrence=""),
                name="event_owner_series_start",
            ),
            # "This user's series still running after this instant".
            models.Index(
                fields=["owner", "recurrence_end"],
                condition=~models.Q(recurrence=""),
                name="event_owner_series",
            ),
            # Everyone's events starting soon, and everyone's running series: the reminders.
            models.Index(fields=["start"], name="event_start"),
            models.Index(
                fields=["recurrence_end"],
                condition=~models.Q(recurrence=""),
                name="event_series_end",
            ),
            # "The occurrences replaced in this window".
            models.Index(
                fields=["owner", "recurrence_id"],
                condition=models.Q(series__isnull=False),
                name="event_owner_exceptions",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.start:%Y-%m-%d %H:%M} UTC)"

    # Set on an event of a subscribed calendar as listed (calendars.selectors): read-only here.
    other_calendar = None

    @property
    def read_only(self) -> bool:
        return self.other_calendar is not None

    @property
    def is_busy(self) -> bool:
        return self.status == self.Status.CONFIRMED and self.show_as == self.ShowAs.BUSY

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    @property
    def is_series(self) -> bool:
        return bool(self.recurrence)

    @property
    def is_recurring(self) -> bool:
        """One of a series' occurrences, as listed, or a series itself."""
        return bool(self.recurrence) or self.series_id is not None

    @property
    def series_key(self) -> int:
        """The id the API and pages name an occurrence by: its series'. Another calendar's
        event is named by its negative id, which no event of DRAKO's own can have."""
        if self.other_calendar is not None:
            return -self.pk
        return self.series_id or self.pk


class EventChange(models.Model):
    """One change to one event: before and after, who or what made it, and whether it was undone."""

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        MOVE = "move", "Moved"
        CANCEL = "cancel", "Cancelled"
        DELETE = "delete", "Deleted"
        UNDO = "undo", "Undone"

    # No index of its own: the (owner, …) index below leads with it, and a second index on
    # the owner alone misled PostgreSQL into reading all of a heavy user's rows.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="event_changes",
        db_index=False,
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
    # A change to a series can touch several rows (splitting it, re-parenting its exceptions):
    # each is its own entry, part of the first one, and undo reverts them together.
    part_of = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="parts"
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


class Notice(models.Model):
    """One reminder or morning summary, claimed before it is sent: the unique constraints make
    a second worker's claim of the same one fail, so each goes out once."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", "Reminder"
        SUMMARY = "summary", "Morning summary"

    class Outcome(models.TextChoices):
        CLAIMED = "claimed", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(max_length=8, choices=Kind)
    # A reminder: the event's id (a series', for any of its occurrences), the start it reminds
    # of and how long before. A moved event starts elsewhere, so it is reminded of again; the
    # same start is never reminded of twice. A plain id, not a foreign key: deleting an event
    # costs no look-up here, and an event deleted and brought back by undo (same id) is not
    # reminded of twice either.
    event_key = models.BigIntegerField(null=True, blank=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    minutes = models.PositiveIntegerField(null=True, blank=True)
    # A summary: the user's local day it is for.
    day = models.DateField(null=True, blank=True)
    due_at = models.DateTimeField()
    channel = models.CharField(max_length=5)
    outcome = models.CharField(max_length=7, choices=Outcome, default=Outcome.CLAIMED)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-due_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "starts_at", "minutes"],
                condition=models.Q(kind="reminder"),
                name="notice_one_reminder_per_start",
            ),
            models.UniqueConstraint(
                fields=["owner", "day"],
                condition=models.Q(kind="summary"),
                name="notice_one_summary_per_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.owner_id} due {self.due_at:%Y-%m-%d %H:%M} UTC"


class PushSubscription(models.Model):
    """A browser that asked for notifications: where to send them (the push service's URL the
    browser gave) and the keys that encrypt them for it (RFC 8291)."""

    # No index of its own: push_one_per_browser starts with it.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="push_subscriptions",
        db_index=False,
    )
    endpoint = models.URLField(max_length=1000)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "endpoint"], name="push_one_per_browser")
        ]

    def __str__(self) -> str:
        return f"Push subscription {self.pk} of {self.owner_id}"

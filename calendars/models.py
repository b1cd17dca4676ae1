from django.conf import settings
from django.db import models

from schedules.models import LOCATION_MAX, TITLE_MAX

URL_MAX = 2000
NAME_MAX = 100


class Calendar(models.Model):
    """Another calendar of the user's: a subscribed iCalendar feed, or a CalDAV calendar."""

    class Kind(models.TextChoices):
        SUBSCRIPTION = "subscription", "Subscription"
        CALDAV = "caldav", "CalDAV"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the first sync"
        OK = "ok", "Up to date"
        ERROR = "error", "Failing"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendars"
    )
    kind = models.CharField(max_length=12, choices=Kind)
    name = models.CharField(max_length=NAME_MAX)
    # The feed (subscription) or the CalDAV server as the user gave it.
    url = models.CharField(max_length=URL_MAX)
    username = models.CharField(max_length=200, blank=True)
    # Fernet token of the CalDAV password (calendars.secrets); never shown anywhere.
    password_encrypted = models.TextField(blank=True)
    # CalDAV: the calendar collection picked on that server.
    remote_url = models.CharField(max_length=URL_MAX, blank=True)
    status = models.CharField(max_length=8, choices=Status, default=Status.PENDING)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # Conditional GET (subscriptions) and RFC 6578 sync (CalDAV) state.
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    sync_token = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            # A double-clicked "Subscribe" makes one calendar, not two.
            models.UniqueConstraint(
                fields=["owner", "url"],
                condition=models.Q(kind="subscription"),
                name="calendar_one_subscription_per_url",
            ),
        ]
        indexes = [models.Index(fields=["status", "last_attempt_at"], name="calendar_due")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def read_only(self) -> bool:
        return self.kind == self.Kind.SUBSCRIPTION


class CalendarEvent(models.Model):
    """One occurrence of an event of a subscribed calendar, as last fetched: read-only in DRAKO.

    Series are stored expanded (a bounded window around now), so a window query is one index
    range scan, like DRAKO's own single events."""

    class ShowAs(models.TextChoices):
        BUSY = "busy", "Busy"
        FREE = "free", "Free"

    # Indexed by calendarevent_owner_start, which leads with it (see schedules.Event.owner).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="events")
    uid = models.CharField(max_length=500)
    title = models.CharField(max_length=TITLE_MAX)
    start = models.DateTimeField()
    end = models.DateTimeField()
    all_day = models.BooleanField(default=False)
    location = models.CharField(max_length=LOCATION_MAX, blank=True)
    show_as = models.CharField(max_length=4, choices=ShowAs, default=ShowAs.BUSY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="calendarevent_end_after_start"
            ),
        ]
        indexes = [models.Index(fields=["owner", "start"], name="calendarevent_owner_start")]

    def __str__(self) -> str:
        return f"{self.title} ({self.start:%Y-%m-%d %H:%M} UTC)"


class EventLink(models.Model):
    """One of DRAKO's own events tied to an iCalendar object elsewhere, by its UID: imported
    from a file (no calendar), or synced both ways with a CalDAV calendar (href and ETag).

    Deleting an event leaves its link behind (no constraint, no cascade: deleting an event, or
    undoing its creation, costs no query here); for CalDAV such a link is the deletion still to
    be sent to the server, for an import it no longer counts as imported."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    calendar = models.ForeignKey(
        Calendar, on_delete=models.CASCADE, null=True, blank=True, related_name="links"
    )
    event = models.ForeignKey(
        "schedules.Event",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    uid = models.CharField(max_length=500)
    href = models.CharField(max_length=URL_MAX, blank=True)
    etag = models.CharField(max_length=500, blank=True)
    # The event's change-log state when last in step with the server (what "changed" means).
    synced_state = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "uid"],
                condition=models.Q(calendar__isnull=True),
                name="eventlink_one_import_per_uid",
            ),
            models.UniqueConstraint(
                fields=["calendar", "uid"],
                condition=models.Q(calendar__isnull=False),
                name="eventlink_one_per_calendar_uid",
            ),
        ]

    def __str__(self) -> str:
        return self.uid


class FormerLink(models.Model):
    """A CalDAV link left behind when its calendar was disconnected: which of DRAKO's events
    stood for which UID in which server collection. Reconnecting that collection links the
    server's object to the same event again instead of copying it (calendars.caldav_sync)."""

    # No index of its own: formerlink_owner_uid starts with it.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # The collection's canonical URL (Calendar.remote_url): the server and the calendar on it.
    remote_url = models.CharField(max_length=URL_MAX)
    uid = models.CharField(max_length=500)
    event = models.ForeignKey(
        "schedules.Event",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "uid"], name="formerlink_owner_uid")]

    def __str__(self) -> str:
        return self.uid

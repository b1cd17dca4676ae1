import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

LIVE_STATUSES = ("starting", "active")


def new_callback_secret() -> str:
    return secrets.token_urlsafe(32)


class Conversation(models.Model):
    """One call between a user and a persona, from the start request to Tavus's last webhook."""

    class Status(models.TextChoices):
        STARTING = "starting", "Starting"
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"
        FAILED = "failed", "Failed"

    # Status only moves forward: a late or repeated event never moves it back.
    RANK = {Status.STARTING: 0, Status.ACTIVE: 1, Status.ENDED: 2, Status.FAILED: 2}
    # Reasons DRAKO records itself; Tavus's own shutdown_reason replaces them when it arrives.
    ENDED_BY_USER = "ended by the user"
    ENDED_BY_SWEEP = "ended by DRAKO after its time limit"
    LOCAL_END_REASONS = (ENDED_BY_USER, ENDED_BY_SWEEP)

    # No index of its own: conversation_user_recent starts with it (lookups, joins, deletes).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="conversations",
        db_index=False,
    )
    persona = models.ForeignKey(
        "personas.Persona", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.STARTING)
    tavus_conversation_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    conversation_url = models.URLField(max_length=500, blank=True)
    # The private room's JWT (require_auth): the owner's page joins with it; never logged.
    meeting_token = models.TextField(blank=True, editable=False)
    # How this call's tool calls come and go (the persona's choice when it started).
    tool_delivery = models.CharField(max_length=8, default="registry")
    callback_secret = models.CharField(max_length=64, default=new_callback_secret, editable=False)
    context_sent = models.TextField(blank=True)
    request_payload = models.JSONField(null=True, blank=True)
    test_mode = models.BooleanField(default=False)
    is_playground = models.BooleanField(
        default=False, help_text="A staff member trying tools on their own schedule, without Tavus."
    )
    writes_need_confirmation = models.BooleanField(default=True)
    max_call_seconds = models.PositiveIntegerField(default=240)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    shutdown_reason = models.CharField(max_length=200, blank=True)
    failure_reason = models.TextField(blank=True)
    transcript = models.JSONField(default=list, blank=True)
    recording = models.JSONField(null=True, blank=True)
    perception_analysis = models.TextField(blank=True)
    tavus_outcome_unknown = models.BooleanField(
        default=False,
        help_text="The create request to Tavus failed without an answer: it may exist there.",
    )
    transcript_fetches = models.PositiveSmallIntegerField(
        default=0, help_text="How often the sweep asked Tavus for a transcript that never came."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One live call per user: a double click cannot bill two conversations.
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status__in=LIVE_STATUSES, is_playground=False),
                name="conversation_one_live_per_user",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="conversation_user_recent"),
            models.Index(fields=["status", "created_at"], name="conversation_status_created"),
        ]

    def __str__(self) -> str:
        return f"Conversation {self.pk} ({self.get_status_display()})"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    def advance(self, status: str) -> bool:
        """Moves the status forward only (never back); says whether it changed.

        The one statement of the rule for every writer: start, end, webhooks, the sweep.
        """
        if self.RANK[status] > self.RANK[self.status]:
            self.status = status
            return True
        return False

    @property
    def duration_seconds(self) -> int | None:
        begin = self.joined_at or self.started_at
        if begin is None or self.ended_at is None:
            return None
        return max(int((self.ended_at - begin).total_seconds()), 0)

    @property
    def duration_text(self) -> str:
        """The call's length as a person reads it: '3 min 12 s'."""
        seconds = self.duration_seconds
        if seconds is None:
            return ""
        minutes, rest = divmod(seconds, 60)
        return f"{minutes} min {rest} s" if minutes else f"{rest} s"

    @property
    def callback_token(self) -> str:
        return f"{self.pk}.{self.callback_secret}"


class ConversationEvent(models.Model):
    """A webhook (or a polled event) from Tavus, stored exactly once as it arrived."""

    # No index of its own: conversation_event_once starts with it. Every webhook writes a row
    # here, and a second index on the column cost each one a write that no query needs.
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    event_type = models.CharField(max_length=100)
    dedupe_key = models.CharField(max_length=64)
    payload = models.JSONField()
    occurred_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    # Stored, not yet applied: a webhook is acknowledged first and applied by a task, and one
    # that came before DRAKO stored the Tavus id (Tavus may call back before its create answer
    # reaches us) waits for the id (webhooks.events_apply_pending).
    pending = models.BooleanField(default=False)

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "dedupe_key"], name="conversation_event_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} for conversation {self.conversation_id}"


class ToolCall(models.Model):
    """One tool call from the persona, with its answer; a repeat delivery returns this answer."""

    class Via(models.TextChoices):
        RELAY = "relay", "Relayed by the page"
        TAVUS = "tavus", "Delivered by Tavus"
        PAGE = "page", "A click on the page"
        PLAYGROUND = "playground", "Tool playground"

    # No index of its own: tool_call_once starts with it (every tool call writes a row here).
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="tool_calls", db_index=False
    )
    name = models.CharField(max_length=100)
    arguments = models.JSONField(default=dict, blank=True)
    inference_id = models.CharField(max_length=100, blank=True)
    tool_call_id = models.CharField(max_length=100, blank=True)
    idempotency_key = models.CharField(max_length=64)
    via = models.CharField(max_length=10, choices=Via, default=Via.RELAY)
    utterance = models.TextField(blank=True)
    ok = models.BooleanField(default=False)
    result = models.JSONField(default=dict, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    # Not a column: the proposals a write made before its record went in (the record is its
    # transaction's last statement, written with the answer); conversations.hotpath.record
    # points them at it.
    made_proposals: tuple[int, ...] = ()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # Exactly once: a second delivery of the same call cannot insert a second row.
            models.UniqueConstraint(
                fields=["conversation", "idempotency_key"], name="tool_call_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} in conversation {self.conversation_id}"


class Proposal(models.Model):
    """A change the assistant proposed; it is applied only when confirmed (by voice or click)."""

    class Kind(models.TextChoices):
        CREATE = "create", "Add"
        UPDATE = "update", "Change"
        CANCEL = "cancel", "Cancel"

    class State(models.TextChoices):
        # Labels are said to the person too ("That change was already discarded").
        PROPOSED = "proposed", _("Proposed")
        APPLIED = "applied", _("Applied")
        DISCARDED = "discarded", _("Discarded")
        EXPIRED = "expired", _("Expired")
        UNDONE = "undone", _("Undone")

    # No index of its own: proposal_conversation_state starts with it.
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="proposals", db_index=False
    )
    tool_call = models.ForeignKey(
        ToolCall, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposals"
    )
    kind = models.CharField(max_length=10, choices=Kind)
    state = models.CharField(max_length=10, choices=State, default=State.PROPOSED)
    event = models.ForeignKey(
        "schedules.Event", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    before = models.JSONField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    conflicts = models.JSONField(default=list, blank=True)
    summary = models.CharField(max_length=300)
    change = models.ForeignKey(
        "schedules.EventChange", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["conversation", "state"], name="proposal_conversation_state"),
            # A new proposal for an event sets aside the one still waiting for it: found among
            # the few waiting, not among every proposal the event has ever had.
            models.Index(
                fields=["event"],
                condition=models.Q(state="proposed"),
                name="proposal_waiting_event",
            ),
            # "Undo" takes the conversation's latest applied change: the first entry here, not
            # a sort of every change the call ever applied.
            models.Index(
                fields=["conversation", "-decided_at", "-id"],
                condition=models.Q(state="applied"),
                name="proposal_applied_latest",
            ),
        ]

    def __str__(self) -> str:
        return self.summary

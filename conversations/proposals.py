"""Proposals: what the assistant would change, applied once confirmed, undone on request."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from conversations.models import Conversation, Proposal
from drako.transactions import atomic_or_joined
from schedules import selectors as schedule_selectors
from schedules import services as schedule_services
from schedules.errors import EventConflictError, ScheduleError
from schedules.models import Event
from schedules.speech import describe

PROPOSAL_TTL = timedelta(minutes=5)
EXPIRED = "That proposal has expired. Tell me again what you'd like to change."
FIELD_LABELS = {
    "title": "Title",
    "start": "Starts",
    "end": "Ends",
    "location": "Where",
    "notes": "Notes",
}


class ProposalError(Exception):
    """A proposal could not be decided; `say` tells the persona (and the person) why."""

    def __init__(self, say: str):
        super().__init__(say)
        self.say = say


@dataclass(frozen=True)
class Actor:
    conversation: Conversation
    utterance: str = ""

    @property
    def context(self) -> schedule_services.ChangeContext:
        return schedule_services.ChangeContext(
            source=Event.Source.ASSISTANT,
            actor=self.conversation.user,
            utterance=self.utterance,
            conversation=self.conversation,
        )


def _encode(data: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in data.items()}


def _decode(data: dict) -> dict:
    return {k: datetime.fromisoformat(v) if k in ("start", "end") else v for k, v in data.items()}


def spoken(moment: datetime, tz) -> str:
    """A moment as the persona says it: weekday, date and time in the user's zone."""
    return describe(moment, tz=tz, now=timezone.now())


def conflict_summaries(conflicts, tz) -> list[str]:
    """Short words for each conflicting event, in the user's zone."""
    return [f"{c.title} at {spoken(c.start, tz)}" for c in conflicts[:3]]


def proposal_create(
    *, actor: Actor, kind: str, data: dict, summary: str, event: Event | None = None, tool_call=None
) -> Proposal:
    """Records a proposed change (with the conflicts it would cause) for the user to confirm."""
    user = actor.conversation.user
    start, end = data.get("start"), data.get("end")
    conflicts = []
    if start and end and data.get("show_as", "busy") == "busy":
        conflicts = schedule_selectors.event_conflicts_for_user(
            user=user, start=start, end=end, exclude_id=event.pk if event else None
        )
    return Proposal.objects.create(
        conversation=actor.conversation,
        tool_call=tool_call,
        kind=kind,
        event=event,
        before=schedule_services.event_state(event) if event else None,
        data=_encode(data),
        conflicts=conflict_summaries(conflicts, user.tz),
        summary=summary[:300],
        expires_at=timezone.now() + PROPOSAL_TTL,
    )


def proposals_locked() -> QuerySet[Proposal]:
    """Proposals whose rows the query locks (only theirs), each with the change it made."""
    return Proposal.objects.select_for_update(of=("self",)).select_related("change")


def _locked(proposal: Proposal) -> Proposal:
    """The proposal's row, locked; with its conversation and user (the caller's, if it has them)."""
    rows = proposals_locked()
    if Proposal.conversation.is_cached(proposal):
        locked = rows.get(pk=proposal.pk)
        locked.conversation = proposal.conversation
        return locked
    return rows.select_related("conversation__user").get(pk=proposal.pk)


def _expired_now(proposal: Proposal) -> bool:
    """Marks a pending proposal expired when its time or its conversation is over."""
    stale = proposal.expires_at <= timezone.now() or not proposal.conversation.is_live
    if proposal.state != Proposal.State.PROPOSED or not stale:
        return False
    proposal.state = Proposal.State.EXPIRED
    proposal.save(update_fields=["state"])
    return True


def proposal_confirm(*, proposal: Proposal, utterance: str = "", locked: bool = False) -> Proposal:
    """Applies a proposed change, if it is still pending, unexpired and the event unchanged.

    `locked`: the caller already holds this proposal's row lock in its transaction.
    """
    with atomic_or_joined():
        proposal = proposal if locked else _locked(proposal)
        if proposal.state == Proposal.State.APPLIED:
            return proposal  # confirming twice (voice and click) is one confirmation
        if not _expired_now(proposal):
            _check_pending(proposal)
            return _confirm(proposal, utterance)
    raise ProposalError(EXPIRED)  # after the block, so the expiry is committed, not rolled back


def _confirm(proposal: Proposal, utterance: str) -> Proposal:
    actor = Actor(proposal.conversation, utterance)
    try:
        # The schedule services refuse before they write: a refusal leaves nothing behind.
        event, change = _APPLY[proposal.kind](proposal, actor)
    except EventConflictError as exc:
        titles = ", ".join(conflict_summaries(exc.conflicts, proposal.conversation.user.tz))
        raise ProposalError(f"That now overlaps {titles}, so I didn't change anything.") from exc
    except ScheduleError as exc:
        raise ProposalError(exc.message) from exc
    proposal.state, proposal.change, proposal.event = Proposal.State.APPLIED, change, event
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["state", "change", "event", "decided_at"])
    return proposal


def _check_pending(proposal: Proposal) -> None:
    if proposal.state == Proposal.State.EXPIRED:
        raise ProposalError(EXPIRED)
    if proposal.state != Proposal.State.PROPOSED:
        raise ProposalError(f"That change was already {proposal.get_state_display().lower()}.")


def _current_event(proposal: Proposal) -> Event:
    user = proposal.conversation.user
    event = Event.objects.filter(pk=(proposal.before or {}).get("id"), owner_id=user.pk).first()
    if event is not None:
        event.owner = user  # already loaded with the proposal: no query per use
    if event is None or schedule_services.event_state(event) != proposal.before:
        raise ProposalError(
            "That event changed since I proposed this, so I didn't touch it. Let's look again."
        )
    return event


def _apply_create(proposal: Proposal, actor: Actor):
    # The user saw the conflicts on the card and said yes: overlapping them is their choice.
    return schedule_services.event_create(
        owner=actor.conversation.user,
        context=actor.context,
        allow_conflict=bool(proposal.conflicts),
        **_decode(proposal.data),
    )


def _apply_update(proposal: Proposal, actor: Actor):
    return schedule_services.event_update(
        event=_current_event(proposal),
        changes=_decode(proposal.data),
        allow_conflict=bool(proposal.conflicts),
        context=actor.context,
    )


def _apply_cancel(proposal: Proposal, actor: Actor):
    return schedule_services.event_cancel(event=_current_event(proposal), context=actor.context)


_APPLY = {
    Proposal.Kind.CREATE: _apply_create,
    Proposal.Kind.UPDATE: _apply_update,
    Proposal.Kind.CANCEL: _apply_cancel,
}


def proposal_discard(*, proposal: Proposal) -> Proposal:
    """Drops a pending proposal; nothing on the schedule changes."""
    with atomic_or_joined():
        proposal = _locked(proposal)
        if proposal.state == Proposal.State.DISCARDED:
            return proposal
        if not _expired_now(proposal):
            _check_pending(proposal)
            proposal.state, proposal.decided_at = Proposal.State.DISCARDED, timezone.now()
            proposal.save(update_fields=["state", "decided_at"])
            return proposal
    raise ProposalError(EXPIRED)


@atomic_or_joined()
def proposal_undo(*, proposal: Proposal, utterance: str = "", locked: bool = False) -> Proposal:
    """Reverts an applied proposal through the schedule's change log; returns it, undone."""
    proposal = proposal if locked else _locked(proposal)
    if proposal.state != Proposal.State.APPLIED or proposal.change_id is None:
        raise ProposalError("There's nothing to undo for that change.")
    change = proposal.change
    if change.owner_id == proposal.conversation.user_id:
        change.owner = proposal.conversation.user  # loaded already: no query for it
    try:
        schedule_services.event_change_undo(
            change=change, context=Actor(proposal.conversation, utterance).context
        )
    except ScheduleError as exc:
        raise ProposalError(exc.message) from exc
    proposal.state = Proposal.State.UNDONE
    proposal.save(update_fields=["state"])
    return proposal


def proposals_expire_for_conversation(*, conversation: Conversation) -> int:
    """Pending proposals die with their conversation."""
    return Proposal.objects.filter(conversation=conversation, state=Proposal.State.PROPOSED).update(
        state=Proposal.State.EXPIRED
    )


def proposal_view(proposal: Proposal, tz) -> dict:
    """What the page's card shows: the summary, each field before → after, and conflicts."""
    before = proposal.before or {}
    fields = []
    for key, label in FIELD_LABELS.items():
        if key not in proposal.data:
            continue
        after, old = proposal.data[key], before.get(key)
        if key in ("start", "end"):
            after = spoken(datetime.fromisoformat(after), tz)
            old = spoken(datetime.fromisoformat(old), tz) if old else None
        if after != old and (after or old):
            fields.append({"label": label, "before": old or "", "after": after or "—"})
    return {"summary": proposal.summary, "fields": fields, "conflicts": proposal.conflicts}

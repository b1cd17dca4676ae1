"""Proposed changes: what the assistant would change, applied once confirmed, undone on request.

A proposal is created by a write tool and decided (confirm, discard, undo) only through
conversations.assistant.decisions; pending ones expire after PROPOSAL_TTL and with their call.
"""

from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from conversations.assistant.answers import Refusal
from conversations.assistant.context import assistant_change_context
from conversations.models import Conversation, Proposal, ToolCall
from drako import prepared
from drako.prepared import PreparedQuery, PreparedUpdate, row_id
from drako.transactions import atomic_or_joined
from schedules import selectors as schedule_selectors
from schedules import series, speech
from schedules import services as schedule_services
from schedules.errors import EventConflictError, ScheduleError
from schedules.models import Event, EventChange

PROPOSAL_TTL = timedelta(minutes=5)
# The tools whose calls propose a change; "yes" without an id means the latest such call's.
PROPOSING_TOOLS = ("add_schedule_event", "update_schedule_event", "cancel_schedule_event")


# A decided change, said whole in each state: the state's display label ("Applied") is a page
# badge, and a badge word dropped into a sentence doesn't agree with it in every language.
_ALREADY = {
    Proposal.State.APPLIED: gettext_lazy(
        "That change was already applied. What would you like to do instead?"
    ),
    Proposal.State.DISCARDED: gettext_lazy(
        "That change was already discarded. What would you like to do instead?"
    ),
    Proposal.State.UNDONE: gettext_lazy(
        "That change was already undone. What would you like to do instead?"
    ),
}


class ProposalError(Refusal):
    """A proposal could not be decided; `say` tells the person why, `hint` the LLM."""


def _expired() -> ProposalError:
    return ProposalError(
        _("That change expired before you said yes, so I didn't make it. What should change?"),
        hint="The proposal expired. Propose the change again if the user still wants it.",
    )


def _encode(data: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in data.items()}


def _decode(data: dict) -> dict:
    return {k: datetime.fromisoformat(v) if k in ("start", "end") else v for k, v in data.items()}


def proposal_create(
    *,
    conversation: Conversation,
    kind: str,
    data: dict,
    summary: str,
    event: Event | None = None,
    tool_call=None,
) -> Proposal:
    """Records a proposed change (with the conflicts it would cause) for the user to confirm.

    A new proposal for an event supersedes (discards) any earlier one still pending for it, so
    "no, make it 4" leaves one change waiting, not two. `tool_call` is the call proposing it,
    whose record is written after (conversations.hotpath.record) and points the proposal at it.
    """
    user = conversation.user
    if event is not None:
        _SET_ASIDE.run(conversation_id=conversation.pk, event_id=event.pk, at=timezone.now())
    start, end = data.get("start"), data.get("end")
    conflicts = []
    if start and end and data.get("show_as", "busy") == "busy":
        conflicts = _conflicts(user, event, data)
    proposal = Proposal(
        conversation=conversation,
        kind=kind,
        event=event,
        before=schedule_services.event_state(event) if event else None,
        data=_encode(data),
        conflicts=speech.conflicts(conflicts, user.tz, now=timezone.now()),
        summary=summary[:300],
        expires_at=timezone.now() + PROPOSAL_TTL,
    )
    prepared.insert(proposal)  # as Proposal.objects.create(), compiled once
    if tool_call is not None:
        # The call's record goes in last, with its answer, and points this proposal at it
        # (conversations.hotpath.record).
        tool_call.made_proposals = (*tool_call.made_proposals, proposal.pk)
    return proposal


# Every proposing tool call sets aside the event's proposal still waiting: compiled once.
_SET_ASIDE = PreparedUpdate(
    lambda conversation_id, event_id, at: (
        Proposal.objects.filter(
            conversation_id=conversation_id, event_id=event_id, state=Proposal.State.PROPOSED
        ),
        {"state": Proposal.State.DISCARDED, "decided_at": at},
    ),
    conversation_id=int,
    event_id=int,
    at=datetime,
)


def _conflicts(user, event: Event | None, data: dict) -> list[Event]:
    """What the proposed times would overlap: every occurrence for a new series (its next
    months), the occurrence's own time for one occurrence."""
    excluding = schedule_selectors.Excluding(event_id=event.pk if event else None)
    if event is not None and data.get("occurrence"):
        moment = datetime.fromisoformat(data["occurrence"])
        excluding = schedule_selectors.Excluding(occurrence=(event.pk, moment))
        if data.get("scope") != "this":
            excluding = schedule_selectors.Excluding(series_id=event.pk)
    spans = [(data["start"], data["end"])]
    if data.get("recurrence") and event is None:
        probe = Event(owner=user, start=data["start"], end=data["end"],
                      recurrence=data["recurrence"], time_zone=user.tz.key)  # fmt: skip
        spans = schedule_services.series_spans(probe, now=timezone.now())
    return schedule_selectors.series_conflicts_for_user(user=user, spans=spans, excluding=excluding)


def proposal_conflicts(*, proposal: Proposal, user) -> list[Event]:
    """What a proposed change would overlap now, as its card shows it (one query)."""
    data = _decode(proposal.data or {})
    if not (data.get("start") and data.get("end")) or data.get("show_as", "busy") != "busy":
        return []
    # Only the event's id is read: no query for the event itself.
    event = Event(pk=proposal.event_id, owner=user) if proposal.event_id else None
    return _conflicts(user, event, data)


def proposals_locked() -> QuerySet[Proposal]:
    """Proposals whose rows the query locks, each with the change it made, and their
    conversation's owner locked first, by the same statement.

    Every decision below is made on a proposal found through this queryset, in the caller's
    transaction: two deciders of one proposal (a voice "yes" and a click) take turns. A
    decision writes the owner's schedule, and every write of a schedule holds its owner's row
    lock (schedules.services): taken here, in the subquery, the owner is locked before the
    proposal, in the order every other write takes them, and the decision's services skip
    their own lock statement (schedules.services.owner_locked_by_caller).
    """
    owner = User.objects.select_for_update().filter(pk=OuterRef("conversation__user_id"))
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("change")
        .filter(Exists(owner))
    )


# The two lookups every confirm and undo runs, compiled once (drako.prepared): the same
# queryset as proposals_locked(), its change's columns read through the same join.
_PROPOSAL = [f.attname for f in Proposal._meta.concrete_fields]
_CHANGE = [f.attname for f in EventChange._meta.concrete_fields]


def _with_change(proposals: QuerySet[Proposal]):
    return proposals.values_list(*_PROPOSAL, *(f"change__{name}" for name in _CHANGE))[:1]


_BY_ID = PreparedQuery(
    lambda conversation_id, proposal_id: _with_change(
        proposals_locked().filter(conversation_id=conversation_id, pk=proposal_id).order_by("pk")
    ),
    conversation_id=int,
    proposal_id=int,
)
_LAST_APPLIED = PreparedQuery(
    lambda conversation_id: _with_change(
        proposals_locked()
        .filter(conversation_id=conversation_id, state=Proposal.State.APPLIED, change__isnull=False)
        .order_by("-decided_at", "-id")
    ),
    conversation_id=int,
)


# "Yes" (or "no") without an id: the proposal of the conversation's latest proposing call
# (the deciding call's own record isn't written yet, and it proposes nothing), no older one.
_OF_LATEST_CALL = PreparedQuery(
    lambda conversation_id: _with_change(
        proposals_locked()
        .filter(
            conversation_id=conversation_id,
            tool_call=Subquery(
                ToolCall.objects.filter(conversation_id=conversation_id, name__in=PROPOSING_TOOLS)
                .order_by("-id")
                .values("pk")[:1]
            ),
        )
        .order_by("created_at", "id")
    ),
    conversation_id=int,
)


def _proposal(rows: list[tuple]) -> Proposal | None:
    if not rows:
        return None
    row, width = rows[0], len(_PROPOSAL)
    proposal = Proposal.from_db(connection.alias, _PROPOSAL, row[:width])
    change = row[width:]
    proposal.change = EventChange.from_db(connection.alias, _CHANGE, change) if change[0] else None
    return proposal


def proposal_locked(*, conversation_id: int, proposal_id: int) -> Proposal | None:
    """proposals_locked().filter(conversation=…, pk=…).first(), with its row locked."""
    if row_id(proposal_id) is None:
        return None
    return _proposal(_BY_ID.rows(conversation_id=conversation_id, proposal_id=proposal_id))


def proposal_locked_of_latest_call(*, conversation_id: int) -> Proposal | None:
    """The proposal "yes" or "no" without an id is about, with its row locked: the one made by
    the conversation's latest proposing call."""
    return _proposal(_OF_LATEST_CALL.rows(conversation_id=conversation_id))


def proposal_locked_last_applied(*, conversation_id: int) -> Proposal | None:
    """The conversation's latest applied change that can be undone, with its row locked."""
    return _proposal(_LAST_APPLIED.rows(conversation_id=conversation_id))


def _expired_now(proposal: Proposal) -> bool:
    """Marks a pending proposal expired when its time or its conversation is over."""
    stale = proposal.expires_at <= timezone.now() or not proposal.conversation.is_live
    if proposal.state != Proposal.State.PROPOSED or not stale:
        return False
    proposal.state = Proposal.State.EXPIRED
    prepared.update_fields(proposal, ["state"])
    return True


def proposal_confirm(*, proposal: Proposal, utterance: str = "") -> Proposal:
    """Applies a (locked) proposed change, if still pending, unexpired and the event unchanged."""
    with atomic_or_joined():
        if proposal.state == Proposal.State.APPLIED:
            return proposal  # confirming twice (voice and click) is one confirmation
        if not _expired_now(proposal):
            _check_pending(proposal)
            return _confirm(proposal, utterance)
    raise _expired()  # after the block, so the expiry is committed, not rolled back


def _confirm(proposal: Proposal, utterance: str) -> Proposal:
    context = assistant_change_context(proposal.conversation, utterance)
    try:
        # The schedule services refuse before they write: a refusal leaves nothing behind.
        event, change = _APPLY[proposal.kind](proposal, context)
    except EventConflictError as exc:
        tz = proposal.conversation.user.tz
        titles = ", ".join(speech.conflicts(exc.conflicts, tz, now=timezone.now()))
        raise ProposalError(
            _(
                "That now overlaps %(titles)s, so I didn't change anything. Shall I look for "
                "another time?"
            )
            % {"titles": titles},
            hint="Offer another time, or propose it again if the user wants the overlap.",
        ) from exc
    except ScheduleError as exc:
        raise ProposalError(exc.message) from exc
    proposal.state, proposal.change, proposal.event = Proposal.State.APPLIED, change, event
    proposal.decided_at = timezone.now()
    prepared.update_fields(proposal, ["state", "change", "event", "decided_at"])
    return proposal


def _check_pending(proposal: Proposal) -> None:
    if proposal.state == Proposal.State.EXPIRED:
        raise _expired()
    if proposal.state != Proposal.State.PROPOSED:
        raise ProposalError(str(_ALREADY[proposal.state]))


def _current_event(proposal: Proposal) -> Event:
    user = proposal.conversation.user
    event = Event.objects.filter(pk=(proposal.before or {}).get("id"), owner_id=user.pk).first()
    if event is not None:
        event.owner = user  # already loaded with the proposal: no query per use
    if event is None or schedule_services.event_state(event) != proposal.before:
        raise ProposalError(
            _(
                "That event changed since I suggested this, so I didn't touch it. Shall I "
                "suggest it again?"
            ),
            hint="List the events again and propose the change anew if it is still wanted.",
        )
    return event


def _apply_create(proposal: Proposal, context: schedule_services.ChangeContext):
    # The user saw the conflicts on the card and said yes: overlapping them is their choice.
    return schedule_services.event_create(
        owner=proposal.conversation.user,
        context=context,
        allow_conflict=bool(proposal.conflicts),
        **_decode(proposal.data),
    )


def _occurrence(proposal: Proposal, event: Event, moment: str) -> Event:
    try:
        return schedule_selectors.occurrence_get_for_user(
            user=proposal.conversation.user,
            event_id=event.pk,
            recurrence_id=datetime.fromisoformat(moment),
        )
    except Http404:
        raise ProposalError(
            _("That one isn't on the schedule any more, so I didn't touch it."),
            hint="List the events again and propose the change anew if it is still wanted.",
        ) from None


def _apply_update(proposal: Proposal, context: schedule_services.ChangeContext):
    changes = _decode(proposal.data)
    moment, scope = changes.pop("occurrence", None), changes.pop("scope", series.THIS)
    event = _current_event(proposal)
    if moment is None:
        return schedule_services.event_update(
            event=event, changes=changes, allow_conflict=bool(proposal.conflicts), context=context
        )
    return series.occurrence_update(
        occurrence=_occurrence(proposal, event, moment),
        changes=changes,
        scope=scope,
        allow_conflict=bool(proposal.conflicts),
        context=context,
    )


def _apply_cancel(proposal: Proposal, context: schedule_services.ChangeContext):
    event = _current_event(proposal)
    moments = proposal.data.get("occurrences")
    if not moments:
        return schedule_services.event_cancel(event=event, context=context)
    occurrences = [_occurrence(proposal, event, moment) for moment in moments]
    return series.occurrences_cancel(
        occurrences=occurrences, scope=proposal.data.get("scope", series.THIS), context=context
    )


_APPLY = {
    Proposal.Kind.CREATE: _apply_create,
    Proposal.Kind.UPDATE: _apply_update,
    Proposal.Kind.CANCEL: _apply_cancel,
}


def proposal_discard(*, proposal: Proposal) -> Proposal:
    """Drops a (locked) pending proposal; nothing on the schedule changes."""
    with atomic_or_joined():
        if proposal.state == Proposal.State.DISCARDED:
            return proposal
        if not _expired_now(proposal):
            _check_pending(proposal)
            proposal.state, proposal.decided_at = Proposal.State.DISCARDED, timezone.now()
            prepared.update_fields(proposal, ["state", "decided_at"])
            return proposal
    raise _expired()


@atomic_or_joined()
def proposal_undo(*, proposal: Proposal, utterance: str = "") -> Proposal:
    """Reverts a (locked) applied proposal through the schedule's change log."""
    if proposal.state != Proposal.State.APPLIED or proposal.change_id is None:
        raise ProposalError(
            _("There's nothing to undo for that change. Is there something else I can do?")
        )
    change = proposal.change
    if change.owner_id == proposal.conversation.user_id:
        change.owner = proposal.conversation.user  # loaded already: no query for it
    try:
        schedule_services.event_change_undo(
            change=change, context=assistant_change_context(proposal.conversation, utterance)
        )
    except ScheduleError as exc:
        raise ProposalError(exc.message) from exc
    proposal.state = Proposal.State.UNDONE
    prepared.update_fields(proposal, ["state"])
    return proposal


def proposals_expire_for_conversation(*, conversation: Conversation) -> int:
    """Pending proposals die with their conversation."""
    return Proposal.objects.filter(conversation=conversation, state=Proposal.State.PROPOSED).update(
        state=Proposal.State.EXPIRED
    )

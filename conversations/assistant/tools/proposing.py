"""What every write tool shares: finding the event meant, and answering a new proposal — read
back briefly (the day once, the clash named, a free time offered), or applied at once when the
persona doesn't ask first."""

from datetime import datetime

from django.http import Http404
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from calendars import selectors as calendar_selectors
from conversations.assistant import answers, proposals
from conversations.assistant.answers import Refusal
from conversations.assistant.context import ToolContext
from conversations.models import Proposal
from schedules import selectors as schedule_selectors
from schedules import services as schedule_services
from schedules import speech
from schedules.models import Event

READ_BACK_HINT = "Read it back; on yes call confirm_change, on no discard_change."


def event_for(ctx: ToolContext, event_id) -> Event:
    """The user's event with this id, or a question back (another user's is no different).
    Another calendar's event (a negative id) is refused: DRAKO can only read it."""
    if int(event_id) < 0:
        raise _read_only(ctx, -int(event_id))
    try:
        return schedule_selectors.event_get_for_user(user=ctx.user, event_id=event_id)
    except Http404:
        raise Refusal(
            _("I can't find that event on your schedule. Which one do you mean?"),
            hint=f"No event has id {event_id}. Call list_schedule_events to find the right one.",
        ) from None


def _read_only(ctx: ToolContext, event_id: int) -> Refusal:
    try:
        event = calendar_selectors.calendar_event_get_for_user(user=ctx.user, event_id=event_id)
    except Http404:
        return Refusal(_("I can't find that event on your schedule. Which one do you mean?"))
    said = {"title": event.title, "calendar": event.calendar.name}
    return Refusal(
        capfirst(_("%(title)s is on your %(calendar)s calendar, which I can only read: change it "
                   "there, and I'll see the change. Can I help with anything else?") % said),
        hint="Events with read_only true come from the user's other calendars: no tool changes "
        "them.",
    )  # fmt: skip


def when(
    start: datetime, end: datetime, ctx: ToolContext, *, all_day: bool = False, relative=True
) -> str:
    """A new time read back; relative ("tomorrow") only where it can't go stale (summaries)."""
    now = ctx.now if relative else None
    if not all_day:
        if relative:
            return speech.spoken_span(start, end, ctx.tz, now=now)
        return speech.span(start, end, ctx.tz)
    today = speech.local(now, ctx.tz).date() if now else None
    first, last = speech.local(start, ctx.tz).date(), speech.local(end, ctx.tz).date()
    if last > first:
        days = _("%(first)s to %(last)s") % {
            "first": speech.day(first, today),
            "last": speech.day(last, today),
        }
    else:
        days = speech.day(first, today)
    return _("%(days)s, all day") % {"days": days}


def past(start: datetime, ctx: ToolContext) -> str:
    """Says so when the time asked for is already over: a person would."""
    return _(" (that's in the past)") if start < ctx.now else ""


def alternatives(ctx: ToolContext, proposal: Proposal) -> list[dict]:
    """Free times of the same length near a conflicting proposal, the same day first."""
    start, end = proposal.data.get("start"), proposal.data.get("end")
    if not proposal.conflicts or not start or not end:
        return []
    probe = Event(
        owner=ctx.user, start=datetime.fromisoformat(start), end=datetime.fromisoformat(end)
    )
    return [
        {
            "start": a.astimezone(ctx.tz).isoformat(),
            "end": b.astimezone(ctx.tz).isoformat(),
            "when": speech.spoken_span(a, b, ctx.tz, now=ctx.now),
        }
        for a, b in schedule_services.event_alternatives(probe)
    ]


def _warning(ctx: ToolContext, proposal: Proposal, offered: list[dict]) -> str:
    """' It overlaps Standup, 10:00 to 10:15 AM; 10:15 to 11:15 AM is free.'"""
    if not proposal.conflicts:
        return ""
    said = {"clashes": _("; ").join(proposal.conflicts)}
    if not offered:
        return " " + _("It overlaps %(clashes)s.") % said
    first = datetime.fromisoformat(offered[0]["start"])
    asked = datetime.fromisoformat(proposal.data["start"])
    same_day = speech.local(first, ctx.tz).date() == speech.local(asked, ctx.tz).date()
    end = datetime.fromisoformat(offered[0]["end"])
    said["free"] = speech.clock_span(first, end, ctx.tz) if same_day else offered[0]["when"]
    return " " + _("It overlaps %(clashes)s; %(free)s is free.") % said


def proposed(ctx: ToolContext, proposal: Proposal, *, done: str, ask: str) -> dict:
    """Answers a new proposal, or confirms it at once when this persona doesn't ask first."""
    offered = alternatives(ctx, proposal)
    warning = _warning(ctx, proposal, offered)
    about = {"tz": ctx.tz, "now": ctx.now}
    if not ctx.conversation.writes_need_confirmation:
        try:
            # Created in this transaction, so no one else can see it yet, let alone lock it.
            proposal = proposals.proposal_confirm(proposal=proposal, utterance=ctx.utterance)
        except proposals.ProposalError as refusal:
            return answers.about(proposal, ok=False, say=refusal.say, hint=refusal.hint, **about)
        return answers.about(proposal, ok=True, say=done + warning, **about)
    extra = {"alternatives": offered} if offered else {}
    say = ask + warning + " " + _("Shall I go ahead?")
    return answers.about(proposal, ok=True, say=say, hint=READ_BACK_HINT, **about, **extra)

"""A proposed change as the pages show it (the live call's card and the record): one line that
says it all ("Add Haircut · Tue Dec 1 · 3-4 PM"), a before → after diff of only what changes,
overlaps as short chips, and the time left to say yes.

Pages are in English and write times on the reader's clock (12- or 24-hour, as
schedules.clock decides), in the user's zone, with en dashes (written "-" in the docstrings
here); what DRAKO *says* about a change is built elsewhere (schedules.speech, in the user's
language).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from conversations.assistant.proposals import proposal_conflicts
from conversations.models import Proposal
from schedules import recurrence
from schedules.speech import local

STATE_LABELS = {
    Proposal.State.PROPOSED: "Waiting for your yes",
    Proposal.State.APPLIED: "Done",
    Proposal.State.DISCARDED: "Discarded",
    Proposal.State.EXPIRED: "Expired",
    Proposal.State.UNDONE: "Undone",
}
DASH = "\N{EN DASH}"


@dataclass(frozen=True)
class Row:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Card:
    proposal: Proposal
    verb: str
    title: str
    new_title: str
    day: str
    time: str
    diff: list[Row] = field(default_factory=list)
    details: list[Row] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    expires_in: int | None = None

    @property
    def state(self) -> str:
        return self.proposal.state

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.proposal.state, self.proposal.state)

    @property
    def pending(self) -> bool:
        return self.proposal.state == Proposal.State.PROPOSED

    @property
    def expires_clock(self) -> str:
        """The time left to say yes, as '4:47'."""
        minutes, seconds = divmod(self.expires_in or 0, 60)
        return f"{minutes}:{seconds:02d}"

    @property
    def undoable(self) -> bool:
        return self.proposal.state == Proposal.State.APPLIED and self.proposal.change_id is not None


@dataclass(frozen=True)
class Times:
    """Short times on the reader's clock: '3 PM', '3:30 PM', or '15:00'."""

    tz: ZoneInfo
    hour12: bool
    now: datetime

    def short(self, moment: datetime) -> str:
        if not self.hour12:
            return f"{moment.hour:02d}:{moment.minute:02d}"
        hour = moment.hour % 12 or 12
        said = f"{hour}:{moment.minute:02d}" if moment.minute else str(hour)
        return f"{said} {'AM' if moment.hour < 12 else 'PM'}"

    def day(self, value: date) -> str:
        """'Tue Dec 1', with the year when it isn't this one."""
        year = "" if value.year == local(self.now, self.tz).year else f", {value.year}"
        return f"{value:%a %b} {value.day}{year}"

    def span(self, start: datetime, end: datetime) -> str:
        """'3-4 PM', '10:30 AM-12 PM', '15:00-16:00', or '11 PM - Sat 1 AM'."""
        opening, closing = self.short(start), self.short(end)
        if end.date() != start.date():
            return f"{opening} {DASH} {end:%a} {closing}"
        if self.hour12 and (start.hour < 12) == (end.hour < 12):
            opening = opening[:-3]  # the meridiem once
        return f"{opening}{DASH}{closing}"

    def when(self, start: datetime, end: datetime, *, all_day: bool) -> tuple[str, str]:
        """(day, time): ('Tue Dec 1', '3-4 PM') or ('Tue Dec 1 - Thu Dec 3', 'all day')."""
        first, last = local(start, self.tz), local(end, self.tz)
        if not all_day:
            return self.day(first), self.span(first, last)
        final = (last - timedelta(microseconds=1)).date()  # it ends at the next midnight
        if final <= first.date():
            return self.day(first), "all day"
        return f"{self.day(first)} {DASH} {self.day(final)}", "all day"

    def line(self, start: datetime, end: datetime, *, all_day: bool) -> str:
        return " · ".join(self.when(start, end, all_day=all_day))


def _times(values: dict) -> tuple[datetime | None, datetime | None]:
    start, end = values.get("start"), values.get("end")
    return (
        datetime.fromisoformat(start) if start else None,
        datetime.fromisoformat(end) if end else None,
    )


def change_card(proposal: Proposal, *, clock: Times, user=None) -> Card:
    """The card of one proposal. Given its owner, a pending one shows its overlaps as they are
    now (one query); otherwise as they were said when it was proposed."""
    data = proposal.data or {}
    before = _before(proposal.before or {}, data)
    after = {**before, **{k: v for k, v in data.items() if k not in _NOT_EVENT_FIELDS}}
    start, end = _times(after)
    all_day = bool(after.get("all_day"))
    day, time = clock.when(start, end, all_day=all_day) if start and end else ("", "")
    renamed = proposal.kind == Proposal.Kind.UPDATE and "title" in data
    moved = proposal.kind == Proposal.Kind.UPDATE and ("start" in data or "end" in data)
    return Card(
        proposal=proposal,
        verb=_verb(proposal, renamed=renamed, moved=moved, repeats="recurrence" in data),
        title=before.get("title") or data.get("title", ""),
        new_title=data["title"] if renamed else "",
        day=day,
        time=time,
        diff=_diff(clock, before, after, renamed=renamed, moved=moved)
        + _repeats(clock, proposal, before, after),
        details=_details(clock, proposal, data),
        conflicts=_conflicts(proposal, clock, user),
        expires_in=_expires_in(proposal, clock.now),
    )


# What a proposal's data says besides the event's fields: which occurrences, and how many.
_NOT_EVENT_FIELDS = ("occurrence", "occurrences", "scope")
SCOPES = {"this": "This one only", "following": "This one and the ones after it",
          "all": "Every one"}  # fmt: skip


def _before(before: dict, data: dict) -> dict:
    """The event as it was; for one occurrence of a series, that occurrence (its original
    start, the series' length), not the series' first."""
    occurrence = data.get("occurrence") or next(iter(data.get("occurrences") or []), None)
    old_start, old_end = _times(before)
    if not occurrence or old_start is None or old_end is None:
        return before
    start = datetime.fromisoformat(occurrence)
    return {
        **before,
        "start": start.isoformat(),
        "end": (start + (old_end - old_start)).isoformat(),
    }


def _verb(proposal: Proposal, *, renamed: bool, moved: bool, repeats: bool) -> str:
    if proposal.kind == Proposal.Kind.CREATE:
        return "Add"
    if proposal.kind == Proposal.Kind.CANCEL:
        return "Cancel"
    if renamed + moved + repeats > 1:
        return "Change"
    return "Rename" if renamed else "Repeat" if repeats else "Move"


def _diff(clock: Times, before: dict, after: dict, *, renamed: bool, moved: bool) -> list[Row]:
    rows = []
    if renamed:
        rows.append(Row("Title", before.get("title", ""), after["title"]))
    if moved:
        all_day = bool(before.get("all_day"))
        old_start, old_end = _times(before)
        new_start, new_end = _times(after)
        rows.append(
            Row(
                "When",
                clock.line(old_start, old_end, all_day=all_day),
                clock.line(new_start, new_end, all_day=all_day),
            )
        )
    return rows


def _rule_words(rule: str, values: dict, clock: Times) -> str:
    start, _end = _times(values)
    return recurrence.rule_words(rule, start, clock.tz) if rule and start else ""


def _repeats(clock: Times, proposal: Proposal, before: dict, after: dict) -> list[Row]:
    """How an event's repeating changes (a new rule, or a series given an end)."""
    rule = (proposal.data or {}).get("recurrence")
    if proposal.kind != Proposal.Kind.UPDATE or not rule:
        return []
    old = _rule_words(before.get("recurrence", ""), before, clock) or "Doesn't repeat"
    return [Row("Repeats", old, _rule_words(rule, after, clock))]


def _details(clock: Times, proposal: Proposal, data: dict) -> list[Row]:
    rows = []
    if proposal.kind == Proposal.Kind.CREATE:
        labels = (("location", "Where"), ("notes", "Notes"))
        rows = [Row(label, "", data[key]) for key, label in labels if data.get(key)]
        if data.get("recurrence"):
            rows.append(Row("Repeats", "", _rule_words(data["recurrence"], data, clock)))
    occurrences = data.get("occurrences") or []
    if len(occurrences) > 1 and data.get("scope") != "following":
        days = ", ".join(clock.day(local(datetime.fromisoformat(o), clock.tz)) for o in occurrences)
        rows.append(Row("Which", "", f"These {len(occurrences)}: {days}"))
    elif data.get("scope") in SCOPES and (occurrences or data.get("occurrence")):
        rows.append(Row("Which", "", SCOPES[data["scope"]]))
    return rows


def _conflicts(proposal: Proposal, clock: Times, user) -> list[str]:
    if user is None or proposal.state != Proposal.State.PROPOSED:
        return list(proposal.conflicts or [])
    clashes = proposal_conflicts(proposal=proposal, user=user)
    if not clashes:
        return []
    start, _end = _times(proposal.data)
    first_day = local(start, clock.tz).date()
    return [_chip(event, clock, first_day) for event in clashes[:3]]


def _chip(event, clock: Times, first_day) -> str:
    """'Workshop 2-3:30 PM', 'Holiday · all day', or with its day when it is another one."""
    begin, finish = local(event.start, clock.tz), local(event.end, clock.tz)
    if event.all_day:
        return f"{event.title} · all day"
    when = clock.span(begin, finish)
    if begin.date() != first_day:
        when = f"{clock.day(begin)} {when}"
    return f"{event.title} {when}"


def _expires_in(proposal: Proposal, now: datetime) -> int | None:
    if proposal.state != Proposal.State.PROPOSED:
        return None
    return max(int((proposal.expires_at - now).total_seconds()), 0)

"""Every answer has one shape, whoever asked: the LLM's tool call, a click on the live page's
card, the record page's Undo:

    {"ok", "say", "hint"?, "state"?, "change_id"?, "proposal"?, ...data}

`say` is only ever words for the person: the replica may speak it verbatim, so it names no tool
and no id and gives no instruction. What the LLM should do next goes in `hint`. `state` is one of
STATES whenever the answer is about a proposed change: the API, the tools, the page's script and
the OpenAPI enum all use this one set.
"""

from datetime import datetime
from typing import Any

from conversations.models import Proposal
from schedules import speech

STATES = tuple(Proposal.State.values)  # proposed, applied, discarded, expired, undone
FIELD_LABELS = {"title": "Title", "start": "Starts", "end": "Ends", "location": "Where",
                "notes": "Notes"}  # fmt: skip


class Refusal(Exception):
    """Why a request can't be done: `say` tells the person, `hint` tells the LLM what to do."""

    def __init__(self, say: str, *, hint: str = "") -> None:
        super().__init__(say)
        self.say = say
        self.hint = hint


def reply(say: str, *, hint: str = "", **data: Any) -> dict[str, Any]:
    """A successful answer."""
    return {"ok": True, "say": say, **({"hint": hint} if hint else {}), **data}


def refused(refusal: Refusal, **data: Any) -> dict[str, Any]:
    """A refusal's answer: nothing changed."""
    return {"ok": False, "say": refusal.say, **({"hint": refusal.hint} if refusal.hint else {}),
            **data}  # fmt: skip


def about(proposal: Proposal, *, ok: bool, say: str, hint: str = "", tz, now: datetime,
          **data: Any) -> dict[str, Any]:  # fmt: skip
    """An answer about one proposed change: its state, its id and its card."""
    answer = reply(say, hint=hint, **data) if ok else refused(Refusal(say, hint=hint), **data)
    return {**answer, "state": proposal.state, "change_id": proposal.pk,
            "proposal": card(proposal, tz, now)}  # fmt: skip


def card(proposal: Proposal, tz, now: datetime) -> dict[str, Any]:
    """What the page's card shows: the summary, each changed field before → after, conflicts."""
    before = proposal.before or {}
    fields = []
    for key, label in FIELD_LABELS.items():
        if key not in proposal.data:
            continue
        after, old = proposal.data[key], before.get(key)
        if key in ("start", "end"):
            after = speech.describe(datetime.fromisoformat(after), tz=tz, now=now)
            old = speech.describe(datetime.fromisoformat(old), tz=tz, now=now) if old else None
        if after != old and (after or old):
            fields.append({"label": label, "before": old or "", "after": after or "—"})
    return {"summary": proposal.summary, "fields": fields, "conflicts": proposal.conflicts}


# The answer's JSON schema, for the OpenAPI description of every endpoint that returns one.
SCHEMA = {
    "type": "object",
    "properties": {
        "ok": {"type": "boolean"},
        "say": {"type": "string", "description": "Words for the person; spoken verbatim."},
        "hint": {"type": "string", "description": "For the LLM only: what to do next."},
        "state": {"type": "string", "enum": list(STATES)},
        "change_id": {"type": "integer"},
        "proposal": {"type": "object"},
    },
    "required": ["ok", "say"],
}

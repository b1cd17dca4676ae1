"""A conversation's record as its page reads: the transcript with each tool call placed where it
happened, after the words that led to it.

Tavus's transcript has no times, so a call is placed by the words stored with it (the user's
utterance that triggered it); a call without matching words (a click on the card, a typed
message) stays right after the call before it. Calls keep their order either way.
"""

import json
import re
from dataclasses import dataclass, field

_NOT_WORDS = re.compile(r"[\W_]+")


@dataclass
class Step:
    """One turn of the transcript and the tool calls it led to (`turn` None: before any)."""

    turn: dict | None
    calls: list[dict] = field(default_factory=list)


def _words(text: str) -> str:
    return _NOT_WORDS.sub(" ", (text or "").lower()).strip()


def _said_in(utterance: str, turn: dict) -> bool:
    said, content = _words(utterance), _words(turn.get("content", ""))
    if not said or turn.get("role") != "user":
        return False
    # The caption and the transcript may differ by a word at the edges; a short phrase must
    # match whole ("yes" is in many turns).
    return said == content or (len(said) >= 12 and (said in content or content in said))


def call_items(tool_calls: list, changes: list) -> list[dict]:
    """Each tool call with its arguments and the change it proposed, applied or undid."""
    by_id = {change.pk: change for change in changes}
    return [
        {
            "call": call,
            "arguments": json.dumps(call.arguments, ensure_ascii=False)[:300],
            "change": by_id.get((call.result or {}).get("change_id")),
        }
        for call in tool_calls
    ]


def timeline(transcript: list[dict], items: list[dict]) -> list[Step]:
    """The transcript's turns, each followed by the tool calls its words led to."""
    steps = [Step(turn=None)] + [Step(turn=turn) for turn in transcript]
    at = 0
    for item in items:
        utterance = item["call"].utterance
        found = next(
            (i for i in range(max(at, 1), len(steps)) if _said_in(utterance, steps[i].turn)),
            None,
        )
        at = found if found is not None else at
        steps[at].calls.append(item)
    return steps if steps[0].calls else steps[1:]

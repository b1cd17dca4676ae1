"""What a `say` may not contain: it is spoken verbatim to the person, so nothing for the LLM."""

import re

from personas.tools import REGISTRY

# Words that only make sense to the LLM (or to a developer), never to the person listening.
_FOR_THE_LLM = re.compile(
    r"\bids?\b|change_id|event_id|tool_call|\bcall (?:the )?[a-z]+_|\bthe user\b|\bask the\b"
    r"|\bLLM\b|\bJSON\b|\bISO\b|\bargument|\boffset\b|\bpropose (?:it|one|the change)",
    re.IGNORECASE,
)


def speakable_problem(say: str, *, ids: tuple[int, ...] = ()) -> str | None:
    """Why `say` must not be spoken (a tool name, an id, an instruction), or None."""
    for name in REGISTRY:
        if name in say:
            return f"names the tool {name}"
    if match := _FOR_THE_LLM.search(say):
        return f"speaks to the LLM ({match[0]!r})"
    for number in ids:
        if re.search(rf"(?<![\d:]){number}(?![\d:])", say):
            return f"reads out the id {number}"
    return None

"""Tools that decide proposed changes: confirm, discard, undo. Each is the LLM's door to the
one decision path (conversations.assistant.decisions), which a person's clicks use too."""

from rest_framework import serializers

from conversations.assistant.context import ToolContext
from conversations.assistant.decisions import CONFIRM, DISCARD, UNDO, decision_make
from personas.tools import tool


class ChangeInput(serializers.Serializer):
    change_id = serializers.IntegerField(
        min_value=0,
        required=False,
        default=0,
        help_text="The change_id from the tool answer about it; 0 for the latest",
    )


def _decision_tool(action: str, name: str, description: str):
    def decide(ctx: ToolContext, data: dict) -> dict:
        return decision_make(ctx, action=action, change_id=data["change_id"])

    return tool(name=name, description=description, serializer_class=ChangeInput, writes=True)(
        decide
    )


confirm_change = _decision_tool(
    CONFIRM,
    "confirm_change",
    "Commit a change you proposed, after the user said yes. Pass its change_id (0 for the "
    "latest proposal).",
)
discard_change = _decision_tool(
    DISCARD,
    "discard_change",
    "Drop a change you proposed, when the user says no or changes their mind. Pass its "
    "change_id (0 for the latest proposal). Nothing on the schedule changes.",
)
undo_last_change = _decision_tool(
    UNDO,
    "undo_last_change",
    "Revert the last change made in this conversation (or the one with this change_id), when "
    "the user asks to undo.",
)

"""What one tool call runs with: its conversation (and user), the moment, the person's words."""

from dataclasses import dataclass
from datetime import datetime

from conversations.models import Conversation, ToolCall
from schedules.models import Event
from schedules.services import ChangeContext


@dataclass(frozen=True)
class ToolContext:
    conversation: Conversation
    now: datetime
    utterance: str = ""
    tool_call: ToolCall | None = None

    @property
    def user(self):
        return self.conversation.user

    @property
    def tz(self):
        return self.conversation.user.tz

    @property
    def change_context(self) -> ChangeContext:
        """How a schedule change made in this call is recorded in the change log."""
        return assistant_change_context(self.conversation, self.utterance)


def assistant_change_context(conversation: Conversation, utterance: str = "") -> ChangeContext:
    """A change the assistant makes for the conversation's user, with what they said."""
    return ChangeContext(
        source=Event.Source.ASSISTANT, actor=conversation.user, utterance=utterance
    )

import json
from pathlib import Path

import pytest

from conversations.models import Conversation

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tavus"


def recorded(name: str, conversation: Conversation) -> dict:
    """A recorded Tavus webhook payload, addressed to `conversation`."""
    text = (FIXTURES / f"{name}.json").read_text()
    text = text.replace("CONVERSATION_ID", conversation.tavus_conversation_id or "")
    return json.loads(text.replace("TOKEN", conversation.callback_token))


@pytest.fixture
def tavus_on(fake_tavus, settings):
    settings.DRAKO_PUBLIC_URL = "https://drako.example.com"
    return fake_tavus


@pytest.fixture
def live_conversation(user, persona, tavus_on):
    from conversations import services

    return services.conversation_start(user=user, persona=persona).conversation

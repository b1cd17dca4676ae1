import json
from pathlib import Path

import pytest
from django.db.models.signals import post_save

from conversations.models import Conversation, ToolCall
from tests.conversations.assistant.speakable import speakable_problem

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tavus"


def recorded(name: str, conversation: Conversation) -> dict:
    """A recorded Tavus webhook payload, addressed to `conversation`."""
    text = (FIXTURES / f"{name}.json").read_text()
    text = text.replace("CONVERSATION_ID", conversation.tavus_conversation_id or "")
    return json.loads(text.replace("TOKEN", conversation.callback_token))


@pytest.fixture(autouse=True)
def _every_say_is_for_the_person():
    """Every answer any of these tests makes is checked: its `say` is words for the person, and
    a refusal's `say` asks the person something (the replica speaks it, and the person's answer
    is what gives the LLM its next turn)."""
    problems = []

    def check(sender, instance, **kwargs):
        say = (instance.result or {}).get("say")
        if say and (problem := speakable_problem(say)):
            problems.append(f"{instance.name}: {problem}: {say!r}")
        if say and not (instance.result or {}).get("ok") and not say.rstrip().endswith("?"):
            problems.append(f"{instance.name}: a refusal that asks nothing: {say!r}")

    post_save.connect(check, sender=ToolCall, dispatch_uid="say-lint")
    yield
    post_save.disconnect(sender=ToolCall, dispatch_uid="say-lint")
    assert not problems, problems


@pytest.fixture
def tavus_on(fake_tavus, settings):
    settings.DRAKO_PUBLIC_URL = "https://drako.example.com"
    return fake_tavus


@pytest.fixture
def live_conversation(user, persona, tavus_on):
    from conversations import services

    return services.conversation_start(user=user, persona=persona).conversation


@pytest.fixture
def call(user_api, live_conversation):
    """Relays one tool call, as the live page does, and returns the tool's answer."""

    def _call(name, arguments=None, **extra):
        body = {"name": name, "arguments": json.dumps(arguments or {}), **extra}
        response = user_api.post(
            f"/api/conversations/{live_conversation.pk}/tool-calls/", body, format="json"
        )
        assert response.status_code == 200, response.content
        return response.json()

    return _call


def racing_deliveries(conversation, name: str, arguments: dict, *, call_id: str, times: int = 3):
    """The same tool call delivered `times` times at once, each on its own connection; every
    delivery's answer, in the order they finished."""
    import threading

    from django.db import connections

    from conversations.assistant import calls

    barrier = threading.Barrier(times)
    results = []

    def deliver():
        try:
            barrier.wait(timeout=10)
            request = calls.ToolRequest(
                name=name,
                arguments=calls.arguments_parse(json.dumps(arguments)),
                tool_call_id=call_id,
            )
            results.append(calls.tool_call_execute(conversation=conversation, request=request))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results

"""Running one tool call exactly once: parse, dispatch through the registry, record, answer.

Every door runs calls through tool_call_execute: the live page's relay, Tavus's signed
delivery, a person's click on a card or the record page (Via.PAGE), and the staff playground.
So every door gets the same rate limit, the same exactly-once guarantee and the same record.
"""

import hashlib
import json
import logging
import time
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from conversations import hotpath, limits
from conversations.assistant.answers import Refusal, refused
from conversations.assistant.context import ToolContext
from conversations.errors import ConversationEnded, TooManyRequests
from conversations.models import Conversation, ToolCall
from drako import metrics
from drako.api_errors import TOO_DEEP, json_problem
from personas.tools import Tool, get_tool

logger = logging.getLogger(__name__)
MAX_ARGUMENTS_CHARS = 10_000
# A person's click on a card (or the record page) is the matching tool call, made by them.
PAGE_ACTIONS = {
    "confirm": "confirm_change",
    "discard": "discard_change",
    "undo": "undo_last_change",
}


@dataclass(frozen=True)
class Arguments:
    """A call's arguments, parsed once: the object, or why it can't be used (for the LLM)."""

    value: dict = field(default_factory=dict)
    problem: str = ""


def arguments_parse(raw) -> Arguments:
    """Tavus sends arguments as a JSON string (OpenAI style); a relay may send an object.

    Raises ValueError for what no database column should store (too deep, NUL characters):
    that is the request's fault, a 400. Anything else unusable comes back as `problem`, which
    the tool answers in words, so the LLM can try again.
    """
    if raw in (None, ""):
        return Arguments()
    if isinstance(raw, str):
        if problem := json_problem(raw):
            raise ValueError(problem)
        if len(raw) > MAX_ARGUMENTS_CHARS:
            return Arguments({"raw": raw[:1000]}, "The arguments are too long.")
        try:
            raw = json.loads(raw)
        except RecursionError:
            raise ValueError(TOO_DEEP) from None
        except ValueError:
            return Arguments({"raw": raw[:1000]}, "The arguments are not valid JSON.")
    if problem := json_problem(raw):
        raise ValueError(problem)
    if not isinstance(raw, dict):
        return Arguments({"raw": str(raw)[:1000]}, "The arguments must be a JSON object.")
    return Arguments(raw)


@dataclass(frozen=True)
class ToolRequest:
    name: str
    arguments: Arguments = field(default_factory=Arguments)
    inference_id: str = ""
    tool_call_id: str = ""
    utterance: str = ""
    via: str = ToolCall.Via.RELAY


def idempotency_key(request: ToolRequest) -> str:
    """Same tool_call_id, or same inference_id + name + arguments: the same call."""
    if request.tool_call_id:
        basis = f"id:{request.tool_call_id}"
    elif request.inference_id:
        canonical = json.dumps(
            request.arguments.value, sort_keys=True, separators=(",", ":"), default=str
        )
        basis = f"inference:{request.inference_id}:{request.name}:{canonical}"
    else:
        basis = f"unique:{uuid.uuid4()}"  # nothing identifies a repeat: every delivery counts
    return hashlib.sha256(basis.encode()).hexdigest()


def _run(tool: Tool | None, request: ToolRequest, ctx: ToolContext) -> dict:
    if tool is None:
        say = _("Sorry, I can't do that. What would you like to do with your schedule?")
        return refused(Refusal(say, hint=f"There is no tool called {request.name!r}."))
    if request.arguments.problem:
        hint = f"{request.arguments.problem} Call {tool.name} again with a JSON object."
        return refused(Refusal(_("Sorry, I didn't get that. Could you say it again?"), hint=hint))
    serializer = tool.serializer_class(data=request.arguments.value)
    if not serializer.is_valid():
        name, problems = next(iter(serializer.errors.items()))
        hint = f"{name}: {problems[0]} Call {tool.name} again with it fixed."
        return refused(Refusal(_question_for(name), hint=hint))
    try:
        return tool.function(ctx, serializer.validated_data)
    except Refusal as refusal:
        return refused(refusal)


def _question_for(field: str) -> str:
    """What to ask the person when the LLM sent an argument that can't be used."""
    questions = {
        "title": _("What should I call it?"),
        "start_time": _("When does it start?"),
        "end_time": _("When does it end?"),
        "duration_minutes": _("How long does it last?"),
        "event_id": _("Which event do you mean?"),
        "change_id": _("Which change do you mean?"),
        "when": _("Which day do you mean?"),
    }
    return questions.get(field, _("Sorry, I didn't catch that. Could you say it again?"))


class _Repeat(Exception):
    """Another delivery of this call came first: this one's writes roll back."""


def _check_allowed(conversation: Conversation, *, allow_ended: bool) -> None:
    if not (conversation.is_live or allow_ended):
        raise ConversationEnded()
    limits.per_user_minute(
        scope="tool-call",
        user_id=conversation.user_id,
        limit=settings.TOOL_CALL_RATE_LIMIT,
        message="Too many requests; wait a minute and try again.",
    )


def tool_call_execute(
    *, conversation: Conversation, request: ToolRequest, allow_ended: bool = False
) -> dict:
    """Runs one tool call; a repeat delivery gets the first answer back and changes nothing.

    Refuses with ConversationEnded once the call is over (unless `allow_ended`: a person's undo
    from the record page) and with TooManyRequests past the user's rate limit.
    """
    known = get_tool(request.name) is not None
    try:
        with translation.override(conversation.user.speech_language):
            result = _execute(conversation, request, allow_ended=allow_ended)
    except (ConversationEnded, TooManyRequests):
        metrics.tool_call_counted(tool=request.name, known=known, outcome="refused")
        raise
    outcome = "ok" if result.get("ok") else "failed"
    metrics.tool_call_counted(tool=request.name, known=known, outcome=outcome)
    return result


def _execute(conversation: Conversation, request: ToolRequest, *, allow_ended: bool) -> dict:
    _check_allowed(conversation, allow_ended=allow_ended)
    started = time.perf_counter()
    key = idempotency_key(request)
    tool = get_tool(request.name)
    call = ToolCall(
        conversation=conversation,
        name=request.name[:100],
        arguments=request.arguments.value,
        inference_id=request.inference_id[:100],
        tool_call_id=request.tool_call_id[:100],
        idempotency_key=key,
        via=request.via,
        utterance=request.utterance[:2000],
    )
    ctx = ToolContext(conversation, timezone.now(), request.utterance, call)
    if not (tool is not None and tool.writes and not request.arguments.problem):
        # A read (or a refusal) writes nothing but its record: no transaction, and the record
        # goes in with its answer in one statement, where the unique key decides.
        result = _answered(call, _run(tool, request, ctx), started)
        if not hotpath.record(call):
            return hotpath.first_answer(conversation_id=conversation.pk, key=key)
    else:
        # A write's record goes in last, with its answer, in the transaction of its writes and
        # in one statement that also points its proposals at it. A twin still in flight makes
        # that statement wait on the unique key; a twin that came first makes it insert
        # nothing, and this delivery's writes roll back: it answers with the first result.
        try:
            with transaction.atomic():
                result = _answered(call, _run(tool, request, ctx), started)
                if not hotpath.record(call):
                    raise _Repeat
        except _Repeat:
            return hotpath.first_answer(conversation_id=conversation.pk, key=key)
        except IntegrityError:
            # A twin that committed first can make this delivery's own writes collide before
            # its record would have said so (both made the same occurrence's own row, say):
            # the first answer stands. Without a first delivery, the error is a real one.
            if (first := hotpath.first_answer(conversation_id=conversation.pk, key=key)) is None:
                raise
            return first
    logger.info(
        "tool_call name=%s ok=%s via=%s conversation=%s ms=%s",
        call.name,
        call.ok,
        call.via,
        conversation.pk,
        call.duration_ms,
    )
    return result


def _answered(call: ToolCall, result: dict, started: float) -> dict:
    call.result, call.ok = result, bool(result.get("ok"))
    call.duration_ms = int((time.perf_counter() - started) * 1000)
    return result


def page_decision_execute(*, conversation: Conversation, action: str, change_id: int) -> dict:
    """A person's click (confirm, discard or undo a change), run as the matching tool call."""
    request = ToolRequest(
        name=PAGE_ACTIONS[action],
        arguments=Arguments({"change_id": change_id}),
        utterance=f"(clicked {action.title()})",
        via=ToolCall.Via.PAGE,
    )
    # The record page may undo what a call changed after the call is over; nothing else may.
    return tool_call_execute(
        conversation=conversation, request=request, allow_ended=action == "undo"
    )

"""Running a tool call exactly once: parse, dispatch through the registry, record, answer."""

import hashlib
import json
import logging
import time
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from conversations.models import Conversation, ToolCall
from conversations.schedule_tools import ToolContext, ToolInputError
from conversations.tools import get_tool
from drako.api_errors import TOO_DEEP, json_problem

logger = logging.getLogger(__name__)
MAX_ARGUMENTS_CHARS = 10_000


@dataclass(frozen=True)
class ToolRequest:
    name: str
    arguments: dict | str | None = None
    inference_id: str = ""
    tool_call_id: str = ""
    utterance: str = ""
    via: str = ToolCall.Via.RELAY


def _arguments(raw) -> dict:
    """Tavus sends arguments as a JSON string (OpenAI style); a relay may send an object."""
    if raw in (None, ""):
        return {}
    if isinstance(raw, str):
        if len(raw) > MAX_ARGUMENTS_CHARS:
            raise ToolInputError("The arguments are too long.")
        try:
            raw = json.loads(raw)
        except ValueError:
            raise ToolInputError("The arguments are not valid JSON. Call the tool again.") from None
    if not isinstance(raw, dict):
        raise ToolInputError("The arguments must be a JSON object of the tool's parameters.")
    return raw


def arguments_problem(arguments) -> str | None:
    """Why tool arguments (an object, or a JSON string of one) cannot be recorded, or None.

    Unparsable strings pass: the tool answers that itself, so the LLM can try again.
    """
    if isinstance(arguments, str):
        if problem := json_problem(arguments):
            return problem
        if len(arguments) > MAX_ARGUMENTS_CHARS:
            return None  # the tool answers "too long"
        try:
            arguments = json.loads(arguments)
        except RecursionError:
            return TOO_DEEP
        except ValueError:
            return None
    return json_problem(arguments)


def idempotency_key(request: ToolRequest, arguments) -> str:
    """Same tool_call_id, or same inference_id + name + arguments: the same call."""
    if request.tool_call_id:
        basis = f"id:{request.tool_call_id}"
    elif request.inference_id:
        canonical = json.dumps(arguments, sort_keys=True, separators=(",", ":"), default=str)
        basis = f"inference:{request.inference_id}:{request.name}:{canonical}"
    else:
        basis = f"unique:{uuid.uuid4()}"  # nothing identifies a repeat: every delivery counts
    return hashlib.sha256(basis.encode()).hexdigest()


def _run(tool, ctx: ToolContext, arguments: dict) -> dict:
    serializer = tool.serializer_class(data=arguments)
    if not serializer.is_valid():
        field, problems = next(iter(serializer.errors.items()))
        return {
            "ok": False,
            "say": f"The {field} doesn't work: {problems[0]} Please call {tool.name} again.",
        }
    try:
        return tool.function(ctx, serializer.validated_data)
    except ToolInputError as exc:
        return {"ok": False, "say": exc.say}


class _Repeat(Exception):
    """The unique key refused this call's row: another delivery of it came first."""


def _answer(request: ToolRequest, tool, ctx: ToolContext, arguments: dict, parse_error) -> dict:
    if parse_error:
        return {"ok": False, "say": parse_error}
    if tool is None:
        return {"ok": False, "say": f"There is no tool called {request.name!r}."}
    return _run(tool, ctx, arguments)


def _insert(call: ToolCall) -> None:
    try:
        call.save(force_insert=True)
    except IntegrityError as exc:
        raise _Repeat from exc


def tool_call_execute(*, conversation: Conversation, request: ToolRequest) -> dict:
    """Runs one tool call; a repeat delivery gets the first answer back and changes nothing."""
    started = time.perf_counter()
    try:
        arguments = _arguments(request.arguments)
    except ToolInputError as exc:
        arguments, parse_error = {"raw": str(request.arguments)[:1000]}, exc.say
    else:
        parse_error = None
    key = idempotency_key(request, arguments)
    tool = get_tool(request.name)
    call = ToolCall(
        conversation=conversation,
        name=request.name[:100],
        arguments=arguments,
        inference_id=request.inference_id[:100],
        tool_call_id=request.tool_call_id[:100],
        idempotency_key=key,
        via=request.via,
        utterance=request.utterance[:2000],
    )
    # One transaction, no savepoint: the unique key decides. A write tool's row goes in first
    # (its proposals point at it, and a racing twin waits on that key before writing anything);
    # any other call's row goes in once, with its answer. Either way the losing twin's whole
    # transaction, its tool's writes included, rolls back, and it answers with the first result.
    try:
        with transaction.atomic():
            writes = tool is not None and tool.writes and not parse_error
            if writes:
                _insert(call)
            ctx = ToolContext(conversation, timezone.now(), request.utterance, call)
            result = _answer(request, tool, ctx, arguments, parse_error)
            call.result, call.ok = result, bool(result.get("ok"))
            call.duration_ms = int((time.perf_counter() - started) * 1000)
            if writes:
                call.save(update_fields=["result", "ok", "duration_ms"])
            else:
                _insert(call)
    except _Repeat:
        return ToolCall.objects.get(conversation=conversation, idempotency_key=key).result
    logger.info(
        "tool_call name=%s ok=%s conversation=%s ms=%s",
        call.name,
        call.ok,
        conversation.pk,
        call.duration_ms,
    )
    return result

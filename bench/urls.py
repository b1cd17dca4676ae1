"""DRAKO's URLs plus the floors: a bare JsonResponse, one durable INSERT, and a read tool call's
and a proposal's statements alone, behind the same middleware stack."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpResponseForbidden, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.models import api_key_digest
from conversations import hotpath, limits
from conversations.assistant import proposals
from conversations.models import Proposal, ToolCall
from drako.urls import handler404, handler500
from drako.urls import urlpatterns as drako_urlpatterns
from schedules.selectors import event_list_for_user


def floor_view(request):
    return JsonResponse({"ok": True})


@csrf_exempt  # bench-only, never in drako.urls: the bench posts without a session
@require_POST
def commit_view(request):
    """One durable write and nothing else: an INSERT in autocommit, its own transaction, which
    returns once the commit is flushed (synchronous_commit=on): one round trip."""
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_commit VALUES (1)")
    return JsonResponse({"ok": True})


def _counted_caller(request, conversation_id: int):
    """A tool call's first two statements, as every call runs them: the caller (token, user and
    conversation in one lookup) and, when there is one, the user's rate count. None for a token
    that isn't the conversation owner's."""
    key = request.headers.get("Authorization", "").partition(" ")[2]
    conversation = hotpath.conversation_by_token(
        digest=api_key_digest(key), conversation_id=conversation_id
    )
    if conversation is not None:
        limits.per_user_minute(scope="bench-floor", user_id=conversation.user_id,
                               limit=settings.TOOL_CALL_RATE_LIMIT, message="")  # fmt: skip
    return conversation


@csrf_exempt
@require_POST
def read_statements_view(request, conversation_id: int):
    """A read tool call's four statements and nothing else, each through the code a read runs it
    with: the caller (token, user and conversation in one lookup), the user's rate count, the
    events of tomorrow, the call's record with the events in it (its own transaction, not waiting
    for the disk). None of the call's parsing, validation, time words, wording, logging or
    metrics: what a read costs before any of that, so the floor under a read's target."""
    conversation = _counted_caller(request, conversation_id)
    if conversation is None:
        return HttpResponseForbidden()
    tz = conversation.user.tz
    start = (timezone.now().astimezone(tz) + timedelta(days=1)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    events = event_list_for_user(user=conversation.user, start=start, end=start + timedelta(days=1))
    listed = [
        {"id": e.series_key, "title": e.title, "start": e.start.isoformat(),
         "end": e.end.isoformat()}
        for e in events
    ]  # fmt: skip
    result = {"ok": True, "events": listed}
    call = ToolCall(conversation=conversation, name="bench", idempotency_key=uuid.uuid4().hex,
                    result=result, ok=True)  # fmt: skip
    hotpath.record(call)
    return JsonResponse(result)


@csrf_exempt
@require_POST
def proposal_statements_view(request, conversation_id: int):
    """A proposing write's statements and nothing else, each through the code add_schedule_event
    runs it with: the caller, the user's rate count, then in one transaction the conflict check
    and the proposal (proposal_create, as add makes it: tomorrow 8 pm, an hour) and the call's
    record with its answer, pointing the proposal at it. None of the call's argument check, time
    words, answer wording, logging or metrics: what a proposal costs before any of that."""
    conversation = _counted_caller(request, conversation_id)
    if conversation is None:
        return HttpResponseForbidden()
    start = (timezone.now().astimezone(conversation.user.tz) + timedelta(days=1)).replace(
        hour=20, minute=0, second=0, microsecond=0
    )
    call = ToolCall(conversation=conversation, name="bench", idempotency_key=uuid.uuid4().hex)
    with transaction.atomic():
        proposal = proposals.proposal_create(
            conversation=conversation, kind=Proposal.Kind.CREATE, tool_call=call,
            data={"title": "Dentist", "start": start, "end": start + timedelta(hours=1)},
            summary="Add 'Dentist'",
        )  # fmt: skip
        call.result, call.ok = {"ok": True, "change_id": proposal.pk}, True
        hotpath.record(call)
    return JsonResponse(call.result)


urlpatterns = [
    path("bench/floor", floor_view, name="bench-floor"),
    path("bench/commit", commit_view, name="bench-commit"),
    path("bench/read/<int:conversation_id>", read_statements_view, name="bench-read"),
    path("bench/proposal/<int:conversation_id>", proposal_statements_view, name="bench-proposal"),
    *drako_urlpatterns,
]

__all__ = ["handler404", "handler500", "urlpatterns"]

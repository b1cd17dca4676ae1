import json
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from conversations import cards, record, selectors, services, webhooks
from conversations.assistant import playground
from conversations.assistant.calls import page_decision_execute
from conversations.errors import ConversationError
from conversations.live import live_page_config
from conversations.models import Conversation
from schedules import selectors as schedule_selectors
from schedules.clock import clock_for_request


@login_required
def conversation_list_view(request):
    conversations = selectors.conversation_list_for_user(user=request.user)[:200]
    return render(request, "conversations/list.html", {"conversations": conversations})


@login_required
@require_http_methods(["GET", "POST"])
def conversation_start_view(request):
    """POST starts a call; GET (a reminder's "Talk to DRAKO" link) shows the button that does,
    so following a link never starts a call by itself."""
    greet = "today" if request.GET.get("greet") == "today" else ""
    if request.method == "GET":
        return render(request, "conversations/start.html", {"greet": greet})
    try:
        result = services.conversation_start_for_user(
            user=request.user,
            persona_id=request.POST.get("persona") or None,
            greet_today=request.POST.get("greet") == "today",
        )
    except ConversationError as exc:
        messages.error(request, exc.message)
        return redirect("schedules:schedule")
    if not result.created and result.conversation.status == Conversation.Status.ACTIVE:
        messages.info(request, "You already have a conversation going: here it is.")
    return redirect("conversations:detail", result.conversation.pk)


@login_required
def conversation_detail_view(request, conversation_id: int):
    conversation = selectors.conversation_get_for_user(
        user=request.user, conversation_id=conversation_id
    )
    if conversation.is_live and conversation.conversation_url:
        return _live(request, conversation)
    if conversation.status == Conversation.Status.STARTING:
        # Tavus hasn't answered yet (another tab, a reload, a second press): a page that
        # moves on by itself, never a record of a call that isn't over.
        return render(request, "conversations/connecting.html", {"conversation": conversation})
    return render(request, "conversations/record.html", _record_context(request, conversation))


def _today(user):
    local = timezone.localtime(timezone.now(), user.tz)
    day_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return schedule_selectors.event_list_for_user(
        user=user, start=day_start, end=day_start + timedelta(days=1)
    )


@login_required
def conversation_today_view(request, conversation_id: int):
    """Today's events as an HTML fragment, for the live page to refresh after a change."""
    selectors.conversation_get_for_user(user=request.user, conversation_id=conversation_id)
    return render(request, "conversations/today_events.html", {"events": _today(request.user)})


def _live(request, conversation):
    context = {
        "conversation": conversation,
        "events": _today(request.user),
        "config": live_page_config(conversation=conversation, now=timezone.now()),
        "daily_js_url": settings.DAILY_JS_URL,
    }
    return render(request, "conversations/live.html", context)


def _card_times(request) -> cards.Times:
    """Cards' times on the reader's clock, in the user's zone."""
    hour12 = clock_for_request(request).hour12
    return cards.Times(tz=request.user.tz, hour12=hour12, now=timezone.now())


@login_required
@never_cache
def conversation_change_card_view(request, conversation_id: int, change_id: int):
    """One proposed change's card, as an HTML fragment for the live page to show."""
    conversation = selectors.conversation_get_for_user(
        user=request.user, conversation_id=conversation_id
    )
    proposal = selectors.proposal_get_for_conversation(
        conversation=conversation, proposal_id=change_id
    )
    card = cards.change_card(proposal, clock=_card_times(request), user=request.user)
    return render(
        request, "conversations/change_card.html", {"card": card, "live": conversation.is_live}
    )


def _record_context(request, conversation) -> dict:
    transcript = [
        turn for turn in conversation.transcript or [] if turn.get("role") in ("user", "assistant")
    ]
    reason = conversation.shutdown_reason
    tool_calls = selectors.tool_call_list_for_conversation(conversation=conversation)
    changes = selectors.proposal_list_for_conversation(conversation=conversation)
    items = record.call_items(tool_calls, changes)
    times = _card_times(request)
    return {
        "conversation": conversation,
        "transcript": transcript,
        "timeline": record.timeline(transcript, items),
        "shutdown_text": webhooks.shutdown_reason_text(reason) if reason else "",
        "tool_calls": items,
        "cards": [cards.change_card(change, clock=times) for change in changes],
    }


@login_required
@require_POST
def conversation_change_undo_view(request, conversation_id: int, change_id: int):
    """Undo of one applied change from the conversation's record page."""
    conversation = selectors.conversation_get_for_user(
        user=request.user, conversation_id=conversation_id
    )
    proposal = selectors.proposal_get_for_conversation(
        conversation=conversation, proposal_id=change_id
    )
    try:
        result = page_decision_execute(
            conversation=conversation, action="undo", change_id=proposal.pk
        )
    except ConversationError as exc:
        result = {"ok": False, "say": exc.message}
    (messages.success if result["ok"] else messages.error)(request, result["say"])
    return redirect("conversations:detail", conversation.pk)


@login_required
@require_POST
def conversation_end_view(request, conversation_id: int):
    """Ends the call: the End button, and the page's beacon when the user leaves."""
    conversation = selectors.conversation_get_for_user(
        user=request.user, conversation_id=conversation_id
    )
    try:
        services.conversation_end(conversation=conversation)
    except ConversationError as exc:
        messages.error(request, exc.message + " We'll end it automatically.")
    return redirect("conversations:detail", conversation.pk)


@login_required
def tool_playground_view(request):
    """Staff only: try the persona's tools on your own schedule, through the same code path."""
    if not request.user.is_staff:
        raise Http404
    result = None
    if request.method == "POST":
        try:
            result = playground.playground_run(
                user=request.user, name=request.POST.get("tool", ""), values=request.POST
            )
        except ConversationError as exc:
            result = {"ok": False, "say": exc.message}
    context = {
        "forms": playground.playground_forms(),
        "result": result,
        "result_json": json.dumps(result, indent=2) if result else "",
        "chosen": request.POST.get("tool", ""),
    }
    return render(request, "conversations/playground.html", context)

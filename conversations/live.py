"""What the live page's script is given: the room, its pass, the call's clock, and the words the
persona speaks when the call is about to end."""

from datetime import datetime

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from conversations.models import Conversation

# Seconds before the call's limit when the page warns, in writing and through the persona.
WARN_BEFORE_END = 30


def _hang_up_warnings(conversation: Conversation) -> dict[str, str]:
    # Spoken verbatim by the replica (conversation.echo), so in the user's language.
    with translation.override(conversation.user.speech_language):
        return {
            "say": _("Just so you know: I'll hang up in 30 seconds."),
            "sayPending": _(
                "Just so you know: I'll hang up in 30 seconds. "
                "Say yes now if you want the change I suggested."
            ),
        }


def live_page_config(*, conversation: Conversation, now: datetime) -> dict:
    """The JSON the live page runs with (see static/js/conversation.js)."""
    begun = conversation.joined_at or conversation.started_at or conversation.created_at
    pk = conversation.pk
    return {
        "conversationId": pk,
        "tavusConversationId": conversation.tavus_conversation_id,
        "conversationUrl": conversation.conversation_url,
        # The private room's token: only this page, the owner's, ever gets it.
        "meetingToken": conversation.meeting_token or None,
        "toolDelivery": conversation.tool_delivery,
        "endUrl": reverse("conversations:end", args=[pk]),
        "recordUrl": reverse("conversations:detail", args=[pk]),
        "todayUrl": reverse("conversations:today", args=[pk]),
        "cardUrl": reverse("conversations:change-card", args=[pk, 0]),
        "writesNeedConfirmation": conversation.writes_need_confirmation,
        # The call's clock, as the server sees it when the page is made: the page counts on
        # from there with its own clock, so a browser set to the wrong time changes nothing.
        "maxCallSeconds": conversation.max_call_seconds,
        "elapsedSeconds": max(int((now - begun).total_seconds()), 0),
        "warnBeforeEnd": WARN_BEFORE_END,
        "hangUpWarning": _hang_up_warnings(conversation),
    }

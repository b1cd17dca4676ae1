"""Why a conversation request was refused, in words for the person who made it.

Services raise these (never the Tavus client's exceptions); the API's exception handler answers
each with its status, and the pages show its message.
"""

from rest_framework import status

from drako import tavus
from drako.errors import DomainError


class ConversationError(DomainError):
    """A conversation request refused; `message` is for the person."""


class ConversationUnavailable(ConversationError):
    status = status.HTTP_503_SERVICE_UNAVAILABLE


class ConversationEnded(ConversationError):
    status = status.HTTP_409_CONFLICT

    def __init__(self) -> None:
        super().__init__("This conversation has ended; start a new one to make changes.")


class TooManyRequests(ConversationError):
    status = status.HTTP_429_TOO_MANY_REQUESTS

    def __init__(self, message: str, *, say: str) -> None:
        # The relay hands `say` back into the call, so the persona can tell the person too.
        super().__init__(message, ok=False, say=say)


class InboundRefused(ConversationError):
    """A request from Tavus (webhook or signed tool delivery) refused with its status."""


UNKNOWN_CALLBACK = "Unknown callback."  # 404
NOT_THIS_CONVERSATION = "conversation_id does not match this callback."  # 403


NOT_CONFIGURED = (
    "Conversations aren't set up on this server yet: an admin needs to add a Tavus API key."
)
# What a person is told when Tavus refuses, and the status the API answers with.
_TAVUS_REFUSALS = {
    tavus.TavusNotConfigured: (status.HTTP_503_SERVICE_UNAVAILABLE, NOT_CONFIGURED),
    tavus.TavusLimitReached: (
        status.HTTP_429_TOO_MANY_REQUESTS,
        "All of DRAKO's video lines are busy right now. Please try again in a minute.",
    ),
    tavus.TavusOutOfCredits: (
        status.HTTP_502_BAD_GATEWAY,
        "DRAKO's video service has run out of conversation credits. An admin needs to top them up.",
    ),
    tavus.TavusAuthFailed: (
        status.HTTP_502_BAD_GATEWAY,
        "DRAKO's video service refused our credentials. An admin needs to check the Tavus API key.",
    ),
    tavus.TavusBusy: (
        status.HTTP_503_SERVICE_UNAVAILABLE,
        "DRAKO's video service is answering slowly right now. Please try again in a moment.",
    ),
    tavus.TavusUnavailable: (
        status.HTTP_502_BAD_GATEWAY,
        "DRAKO's video service isn't answering right now. Please try again in a few minutes.",
    ),
}


def tavus_refusal(exc: tavus.TavusError) -> ConversationError:
    """The refusal a person sees for a Tavus failure, with its HTTP status."""
    for kind, (code, message) in _TAVUS_REFUSALS.items():
        if isinstance(exc, kind):
            return ConversationError(message, status=code)
    return ConversationError(
        f"DRAKO's video service refused the call: {exc.message}", status=status.HTTP_502_BAD_GATEWAY
    )

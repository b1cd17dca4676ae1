"""How refusals are told: Tavus's to the person who pressed "Talk to DRAKO", ours to Tavus."""

from rest_framework import status

from drako import tavus


class RefusedError(Exception):
    """A request from Tavus (webhook or tool delivery) refused with `status` and `message`."""

    def __init__(self, message: str, *, status: int):
        super().__init__(message)
        self.message = message
        self.status = status


MESSAGES = {
    tavus.TavusNotConfigured: (
        status.HTTP_503_SERVICE_UNAVAILABLE,
        "Conversations aren't set up on this server yet: an admin needs to add a Tavus API key.",
    ),
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
    tavus.TavusUnavailable: (
        status.HTTP_502_BAD_GATEWAY,
        "DRAKO's video service isn't answering right now. Please try again in a few minutes.",
    ),
}


def explain(exc: tavus.TavusError) -> tuple[int, str]:
    """The HTTP status and the sentence a person sees for a Tavus failure."""
    if isinstance(exc, tavus.TavusNotConfigured) and "persona" in exc.message:
        return status.HTTP_503_SERVICE_UNAVAILABLE, exc.message
    for kind, answer in MESSAGES.items():
        if isinstance(exc, kind):
            return answer
    return status.HTTP_502_BAD_GATEWAY, f"DRAKO's video service refused the call: {exc.message}"

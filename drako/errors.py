"""Domain errors: a refusal in words a person (or an LLM) can act on, with its HTTP status.

Services raise them; the API's exception handler (drako.api_errors) turns every one into a JSON
answer in one place, and HTML views show their message. Nothing here knows about HTTP requests.
"""

from typing import Any


class DomainError(Exception):
    """A refusal: `message` says why and what to do; `status` is the HTTP answer it maps to."""

    status = 400

    def __init__(self, message: str, *, status: int | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.extra = extra

    def body(self) -> dict[str, Any]:
        """The JSON body of the API's answer: `detail`, plus any extra fields."""
        return {"detail": self.message, **self.extra}

"""Why a schedule write was refused, in words a person (or an LLM) can act on."""

from datetime import datetime

from drako.errors import DomainError


class ScheduleError(DomainError):
    """A schedule write was refused; `message` says why."""


class EventInvalidError(ScheduleError):
    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field

    def body(self) -> dict:
        return {
            "detail": self.message,
            **({"errors": {self.field: [self.message]}} if self.field else {}),
        }


class EventConflictError(ScheduleError):
    """The change would overlap busy events; `alternatives` are free times of the same length."""

    status = 409

    def __init__(
        self, message: str, *, conflicts: list, alternatives: list[tuple[datetime, datetime]]
    ):
        super().__init__(message)
        self.conflicts = conflicts
        self.alternatives = alternatives


class UndoError(ScheduleError):
    status = 409

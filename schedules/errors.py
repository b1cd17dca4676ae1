from datetime import datetime


class ScheduleError(Exception):
    """A schedule write was refused; `message` says why in words a person (or an LLM) can act on."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class EventInvalidError(ScheduleError):
    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class EventConflictError(ScheduleError):
    def __init__(
        self, message: str, *, conflicts: list, alternatives: list[tuple[datetime, datetime]]
    ):
        super().__init__(message)
        self.conflicts = conflicts
        self.alternatives = alternatives


class UndoError(ScheduleError):
    pass

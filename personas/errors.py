"""Errors the personas services raise for the admin and commands to report."""


class TavusSyncError(Exception):
    """A sync with Tavus failed or was refused; `message` says why in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

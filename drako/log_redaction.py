"""Keeps the secrets that live in URLs (callback, calendar-feed, document tokens, mailed links)
out of logs."""

import logging
import re

from gunicorn.glogging import Logger

SECRET_IN_PATH = re.compile(r"(/api/tavus/callbacks/|/calendar/|/documents/)[^/\s\"?]+")
# Signed links in mails: an address check, an unlock, a password reset (its uid and token).
SECRET_LINK = re.compile(
    r"(/accounts/verify-email/|/accounts/login/unlock/|/accounts/password-reset/"
    r"(?=[^/\s\"?]+/[^/\s\"?]+/))[^/\s\"?]+(?:/[^/\s\"?]+)?"
)


def redact(text: str) -> str:
    """The text with every URL-borne secret replaced by [redacted]."""
    return SECRET_LINK.sub(r"\1[redacted]", SECRET_IN_PATH.sub(r"\1[redacted]", text))


class RedactSecretsFilter(logging.Filter):
    """A logging filter (on DRAKO's stdout handler) that redacts URL secrets in every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


class RedactingGunicornLogger(Logger):
    """gunicorn's logger, with the access log's path and request line redacted."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("U", "r", "q"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return atoms

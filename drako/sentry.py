"""Error reports to Sentry (sentry-sdk), off unless SENTRY_DSN is set, with secrets scrubbed.

Three layers keep secrets out of a report: no personal data (send_default_pii left off) and no local
variables (a frame's `key` can be the Tavus API key); Sentry's own scrubber on key names, widened
with ours; and `scrub_event`, which walks the whole event and blanks every configured secret's
value wherever it appears, and the secrets that live in URLs (drako/log_redaction.py).
"""

import logging
from typing import Any

import sentry_sdk
from django.conf import settings
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import LoggingIntegration
from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

from drako.log_redaction import redact

REDACTED = "[redacted]"
# Key names whose values are never sent, on top of Sentry's list (which has token, secret, ...).
DENYLIST = [
    *DEFAULT_DENYLIST,
    "x-api-key",
    "x_api_key",
    "x-csrftoken",
    "callback_secret",
    "calendar_token",
    "key",
    "dsn",
    "database_url",
    "email_url",
    "cache_url",
    "tasks_url",
]
# Settings whose values are secrets; a value shorter than this is too common to blank safely.
SECRET_SETTINGS = ("SECRET_KEY", "TAVUS_API_KEY", "TAVUS_TOOL_SECRET", "METRICS_TOKEN")
_MIN_SECRET_LENGTH = 8


def sentry_init() -> bool:
    """Starts error reporting when SENTRY_DSN is set; True if it did."""
    if not settings.SENTRY_DSN:
        return False
    sentry_sdk.init(
        dsn=settings.SENTRY_DSN,
        environment=settings.SENTRY_ENVIRONMENT,
        traces_sample_rate=settings.SENTRY_TRACES_SAMPLE_RATE,
        # send_default_pii stays unset, i.e. off (sentry-sdk 2.75 deprecates passing it at all).
        include_local_variables=False,
        event_scrubber=EventScrubber(denylist=DENYLIST, recursive=True),
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        integrations=[
            DjangoIntegration(),
            LoggingIntegration(level=logging.INFO, event_level=logging.ERROR),
        ],
    )
    return True


def _secret_values() -> list[str]:
    values = [getattr(settings, name, "") for name in SECRET_SETTINGS]
    for database in settings.DATABASES.values():
        values.append(database.get("PASSWORD", ""))
    for mailer in getattr(settings, "MAILERS", {}).values():
        values.append(mailer.get("OPTIONS", {}).get("password", ""))
    # Longest first, so a secret that contains another is blanked whole.
    found = {value for value in values if isinstance(value, str)}
    return sorted((v for v in found if len(v) >= _MIN_SECRET_LENGTH), key=len, reverse=True)


def _scrub(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, REDACTED)
        return redact(value)
    if isinstance(value, dict):
        return {key: _scrub(item, secrets) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrub(item, secrets) for item in value]
    return value


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """Sentry's before_send: the event with every secret value and URL-borne secret blanked."""
    return _scrub(event, _secret_values())

"""Web Push (RFC 8030, encrypted per RFC 8291, signed with VAPID per RFC 8292): the only code that
speaks to browsers' push services. It imports no model: callers hand it a subscription's URL and
keys, and act on PushGone (forget that subscription) or PushError (log it).

A push endpoint is a URL the browser gave us, so it goes through drako.netguard: https only, and
never an address on our own network (PUSH_ALLOW_PRIVATE_HOSTS lifts both, for tests only).
"""

import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from pywebpush import WebPushException, webpush

from drako import netguard

TIMEOUT_SECONDS = 10
# How long the push service keeps a message for a browser that is offline: a reminder is no use
# an hour late.
TTL_SECONDS = 60 * 60
ENDPOINT_MAX = 1000


class PushError(Exception):
    """The push service refused or could not be reached; the message was not delivered."""


class PushGone(PushError):
    """The subscription no longer exists (404/410): delete it."""


class PushNotConfigured(PushError):
    """VAPID keys are not set: push is unavailable."""


@dataclass(frozen=True)
class Subscription:
    endpoint: str
    p256dh: str
    auth: str


def is_configured() -> bool:
    """True when VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and VAPID_SUBJECT are all set."""
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY and settings.VAPID_SUBJECT)


def endpoint_check(endpoint: str) -> None:
    """Refuses (netguard.UnsafeAddress) an endpoint we would not send to: not https, too long, or
    on a private network."""
    allow_private = settings.PUSH_ALLOW_PRIVATE_HOSTS
    if len(endpoint) > ENDPOINT_MAX:
        raise netguard.UnsafeAddress("That push address is too long.")
    if urlsplit(endpoint).scheme != "https" and not allow_private:
        raise netguard.UnsafeAddress("A push address must start with https://.")
    netguard.check_url(endpoint, allow_private=allow_private)


def send(*, subscription: Subscription, message: dict) -> None:
    """Encrypts `message` (JSON) for the subscription's browser and hands it to its push service."""
    if not is_configured():
        raise PushNotConfigured("Web Push is not configured (VAPID keys).")
    try:
        endpoint_check(subscription.endpoint)
    except netguard.UnsafeAddress as error:
        raise PushGone(str(error)) from error
    claims = {"sub": settings.VAPID_SUBJECT}
    try:
        webpush(
            subscription_info={
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            },
            data=json.dumps(message, ensure_ascii=False),
            vapid_private_key=settings.VAPID_PRIVATE_KEY,
            vapid_claims=claims,
            timeout=TIMEOUT_SECONDS,
            ttl=TTL_SECONDS,
            requests_session=netguard.session(allow_private=settings.PUSH_ALLOW_PRIVATE_HOSTS),
        )
    except WebPushException as error:
        status = getattr(error.response, "status_code", None)
        if status in (404, 410):
            raise PushGone(f"The push service answered {status}.") from error
        raise PushError(f"The push service answered {status or 'nothing'}.") from error
    except netguard.UnsafeAddress as error:
        raise PushGone(str(error)) from error
    except (OSError, ValueError) as error:  # requests' errors are OSErrors; bad keys ValueErrors
        raise PushError(error.__class__.__name__) from error

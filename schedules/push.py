"""The browsers a user asked to be notified in (Web Push subscriptions): reads and writes."""

import base64
import binascii

from django.db import IntegrityError, transaction
from django.http import Http404

from drako import netguard, webpush
from schedules.errors import EventInvalidError
from schedules.models import PushSubscription

# A subscription's keys (RFC 8291): an uncompressed P-256 point and a 16-byte secret.
P256DH_BYTES, AUTH_BYTES = 65, 16


class PushSubscriptionError(EventInvalidError):
    """A subscription DRAKO refuses; the message says why."""


def _key_bytes(value: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return b""


def push_subscription_save(*, user, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    """Remembers a browser's subscription (the same browser again just updates its keys)."""
    if not webpush.is_configured():
        raise PushSubscriptionError("Browser notifications are not available on this server.")
    try:
        webpush.endpoint_check(endpoint)
    except netguard.UnsafeAddress as error:
        raise PushSubscriptionError(str(error), field="endpoint") from None
    if len(_key_bytes(p256dh)) != P256DH_BYTES or len(_key_bytes(auth)) != AUTH_BYTES:
        raise PushSubscriptionError("Those are not a browser's push keys.", field="keys")
    try:
        with transaction.atomic():
            subscription, _created = PushSubscription.objects.update_or_create(
                owner=user, endpoint=endpoint, defaults={"p256dh": p256dh, "auth": auth}
            )
    except IntegrityError:  # the same browser subscribing twice at once: the other one won
        subscription = PushSubscription.objects.get(owner=user, endpoint=endpoint)
    return subscription


def push_subscription_delete(*, subscription: PushSubscription) -> None:
    """Forgets a browser: nothing more is pushed to it."""
    subscription.delete()


def push_subscription_list_for_user(*, user):
    """The user's subscribed browsers, newest first."""
    return PushSubscription.objects.filter(owner=user)


def push_subscription_get_for_user(*, user, subscription_id) -> PushSubscription:
    """One of the user's subscriptions; anyone else's (or none) is a 404."""
    try:
        return PushSubscription.objects.get(owner=user, pk=int(subscription_id))
    except (PushSubscription.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404("No such subscription.") from None

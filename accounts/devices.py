"""Known devices: a signed, long-lived cookie that a browser gets when its owner signs in.

The sign-in guard counts a known device's attempts apart from everyone else's, so a stranger
guessing the password never delays the owner on their own browser. The cookie holds no secret of
the account: only its id and a random device id, signed with SECRET_KEY.
"""

import secrets

from django.conf import settings
from django.core import signing

COOKIE = "drako_device"
SALT = "accounts.devices"
MAX_AGE_SECONDS = 400 * 24 * 60 * 60  # the longest a browser keeps a cookie (RFC 6265bis)


def device_for(request, *, user_pk: int) -> str | None:
    """The device id of this browser's cookie, when it was given to that account."""
    raw = request.COOKIES.get(COOKIE) if request is not None else None
    if not raw:
        return None
    try:
        value = signing.loads(raw, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or value.get("u") != user_pk:
        return None
    device = value.get("d")
    return device if isinstance(device, str) else None


def remember(request, user) -> None:
    """Marks the response to this request to make the browser a known device of `user`."""
    request.known_device_for = user


def _set_cookie(request, response, user) -> None:
    device = device_for(request, user_pk=user.pk) or secrets.token_urlsafe(12)
    response.set_cookie(
        COOKIE,
        signing.dumps({"u": user.pk, "d": device}, salt=SALT),
        max_age=MAX_AGE_SECONDS,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


class KnownDeviceMiddleware:
    """Sets the known-device cookie on the response to a sign-in (any door that calls login())."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "known_device_for", None)
        if user is not None:
            _set_cookie(request, response, user)
        return response


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver: every successful sign-in makes its browser a known device."""
    if request is not None:
        remember(request, user)

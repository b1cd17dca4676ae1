"""Mails with signed links: checking an address, and unlocking sign-in on one's own browser."""

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

VERIFY_SALT = "accounts.verify-email"
VERIFY_MAX_AGE = 3 * 24 * 60 * 60
UNLOCK_SALT = "accounts.unlock"
UNLOCK_MAX_AGE = 60 * 60


def can_send() -> bool:
    """False when no mail can leave this server (EMAIL_URL unset in production)."""
    return not settings.MAILERS["default"]["BACKEND"].endswith("dummy.EmailBackend")


def _mail_link(*, user, request, route: str, token: str, subject: str, template: str, **extra):
    link = request.build_absolute_uri(reverse(route, args=[token]))
    body = render_to_string(template, {"user": user, "link": link, **extra})
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def verification_send(*, user, request) -> None:
    """Mails `user` a link that proves they read their address."""
    _mail_link(
        user=user,
        request=request,
        route="verify-email",
        token=signing.dumps({"u": user.pk, "e": user.email}, salt=VERIFY_SALT, compress=True),
        subject="Confirm your email address for DRAKO",
        template="accounts/email/verify.txt",
        days=VERIFY_MAX_AGE // 86400,
    )


def verification_read(token: str) -> tuple[int, str] | None:
    """(user id, address) from a verification link, or None when forged or expired."""
    try:
        value = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("u"), int):
        return None
    return value["u"], str(value.get("e", ""))


def unlock_send(*, user, request) -> None:
    """Mails `user` a link that lets the browser opening it sign in despite the delay."""
    _mail_link(
        user=user,
        request=request,
        route="signin-unlock",
        token=signing.dumps({"u": user.pk}, salt=UNLOCK_SALT),
        subject="Sign in to DRAKO on this browser",
        template="accounts/email/unlock.txt",
        minutes=UNLOCK_MAX_AGE // 60,
    )


def unlock_read(token: str) -> int | None:
    """The user id from an unlock link, or None when forged or expired."""
    try:
        value = signing.loads(token, salt=UNLOCK_SALT, max_age=UNLOCK_MAX_AGE)
    except signing.BadSignature:
        return None
    user_pk = value.get("u") if isinstance(value, dict) else None
    return user_pk if isinstance(user_pk, int) else None

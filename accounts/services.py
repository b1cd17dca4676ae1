import secrets

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import emails
from accounts.models import API_KEY_LENGTH, ApiToken, User, api_key_digest, new_calendar_token
from accounts.timezones import canonical_zone

MAX_API_TOKENS = 10  # per user; making one more revokes the oldest


@transaction.atomic
def user_signup(
    *, username: str, password: str, email: str = "", display_name: str = "", time_zone: str
) -> User:
    """Creates a user with a hashed password and their zone (API tokens are made on request)."""
    zone = canonical_zone(time_zone)
    if zone is None:
        raise ValidationError({"time_zone": f"'{time_zone}' is not an IANA time zone."})
    user = User(username=username, email=email, display_name=display_name, time_zone=zone)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def user_token_create(*, user: User) -> str:
    """Makes an API key for the user and returns it: only its digest is kept, so this is the
    one time it can be shown. Past MAX_API_TOKENS, the oldest tokens stop working."""
    key = secrets.token_hex(API_KEY_LENGTH // 2)
    ApiToken.objects.create(user=user, digest=api_key_digest(key), prefix=key[:8])
    stale = ApiToken.objects.filter(user=user).values_list("pk", flat=True)[MAX_API_TOKENS:]
    ApiToken.objects.filter(pk__in=list(stale)).delete()
    return key


def user_token_revoke(*, user: User, token_id: int) -> bool:
    """Revokes one of the user's API tokens; False when they have no such token."""
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return deleted > 0


def user_tokens_revoke(*, user: User) -> int:
    """Revokes every API token of the user; returns how many there were."""
    deleted, _ = ApiToken.objects.filter(user=user).delete()
    return deleted


def user_calendar_token_regenerate(*, user: User) -> str:
    """Replaces the secret of the user's calendar feed; the old feed URL stops working."""
    user.calendar_token = new_calendar_token()
    user.save(update_fields=["calendar_token"])
    return user.calendar_token


def user_password_changed(*, user: User) -> None:
    """After a password change: whoever held an old API token loses it too."""
    user_tokens_revoke(user=user)


def user_email_verification_start(*, user: User, request) -> None:
    """Marks the address unverified and mails its owner a link that verifies it."""
    User.objects.filter(pk=user.pk).update(email_verified=False)
    user.email_verified = False
    if user.email:
        emails.verification_send(user=user, request=request)


def user_email_verify(*, token: str) -> User | None:
    """Marks the address in a verification link as verified; None when the link is no good."""
    found = emails.verification_read(token)
    if found is None:
        return None
    user_pk, email = found
    user = User.objects.filter(pk=user_pk, is_active=True).first()
    if user is None or user.email.casefold() != email.casefold():
        return None  # the address changed since the link was sent
    User.objects.filter(pk=user.pk).update(email_verified=True)
    user.email_verified = True
    return user

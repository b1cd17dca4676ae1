from django.core.exceptions import ValidationError
from django.db import transaction
from rest_framework.authtoken.models import Token

from accounts import emails
from accounts.models import User, new_calendar_token
from accounts.timezones import canonical_zone


@transaction.atomic
def user_signup(
    *, username: str, password: str, email: str = "", display_name: str = "", time_zone: str
) -> User:
    """Creates a user with a hashed password, their zone and an API token."""
    zone = canonical_zone(time_zone)
    if zone is None:
        raise ValidationError({"time_zone": f"'{time_zone}' is not an IANA time zone."})
    user = User(username=username, email=email, display_name=display_name, time_zone=zone)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    Token.objects.create(user=user)
    return user


def user_token_get(*, user: User) -> Token:
    """The user's API token, created on first use."""
    token, _created = Token.objects.get_or_create(user=user)
    return token


@transaction.atomic
def user_token_regenerate(*, user: User) -> Token:
    """Replaces the user's API token; the old one stops working at once."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def user_calendar_token_regenerate(*, user: User) -> str:
    """Replaces the secret of the user's calendar feed; the old feed URL stops working."""
    user.calendar_token = new_calendar_token()
    user.save(update_fields=["calendar_token"])
    return user.calendar_token


def user_password_changed(*, user: User) -> None:
    """After a password change: whoever held the old API token loses it too."""
    user_token_regenerate(user=user)


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

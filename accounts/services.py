from django.core.exceptions import ValidationError
from django.db import transaction
from rest_framework.authtoken.models import Token

from accounts.models import User, new_calendar_token
from accounts.timezones import is_valid_timezone


@transaction.atomic
def user_signup(
    *, username: str, password: str, email: str = "", display_name: str = "", time_zone: str
) -> User:
    """Creates a user with a hashed password, their zone and an API token."""
    if not is_valid_timezone(time_zone):
        raise ValidationError({"time_zone": f"'{time_zone}' is not an IANA time zone."})
    user = User(username=username, email=email, display_name=display_name, time_zone=time_zone)
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

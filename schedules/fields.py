"""Serializer fields that read times and lengths the way people say them, in the user's zone."""

from datetime import datetime, timedelta

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from schedules import timeparse


def _user(field: serializers.Field):
    request = field.context.get("request")
    user = field.context.get("user") or getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _user_tz(field: serializers.Field):
    user = _user(field)
    return user.tz if user is not None else timezone.get_current_timezone()


def _invalid(exc: timeparse.TimeParseError) -> serializers.ValidationError:
    return serializers.ValidationError(f"{exc.message} {exc.hint}".strip())


@extend_schema_field(OpenApiTypes.DATETIME)
class WhenField(serializers.Field):
    """ISO 8601 (no offset = the user's zone) or a phrase like "tomorrow at 3pm".

    A program's explicit offset or Z is taken as that instant; the persona's tools, which pass
    spoken words through, refuse an offset that isn't the user's own (schedules.timeparse).
    """

    default_error_messages = {"invalid": "Give a time as ISO 8601 or words like 'tomorrow at 3pm'."}

    def to_internal_value(self, data) -> datetime:
        if not isinstance(data, str) or not data.strip():
            self.fail("invalid")
        tz = _user_tz(self)
        now = self.context.get("now") or timezone.now()
        language = getattr(_user(self), "language", "english")
        try:
            instant = timeparse.parse_instant(data, tz=tz, now=now)
            if instant is not None:
                return instant
            return timeparse.parse_datetime(data, tz=tz, now=now, language=language)
        except timeparse.TimeParseError as exc:
            raise _invalid(exc) from None

    def to_representation(self, value: datetime) -> str:
        return value.astimezone(_user_tz(self)).isoformat()


@extend_schema_field(OpenApiTypes.INT)
class DurationMinutesField(serializers.Field):
    """A length in minutes, or words like "an hour and a half"."""

    default_error_messages = {
        "invalid": "Give a length in minutes, like 30, or words like 'an hour'."
    }

    def to_internal_value(self, data) -> timedelta:
        if isinstance(data, bool) or not isinstance(data, (str, int, float)):
            self.fail("invalid")
        language = getattr(_user(self), "language", "english")
        try:
            return timeparse.parse_duration(data, language=language)
        except timeparse.TimeParseError as exc:
            raise _invalid(exc) from None

    def to_representation(self, value: timedelta) -> int:
        return int(value.total_seconds() // 60)

"""Serializer fields that read times and lengths the way people say them, in the user's zone."""

from datetime import datetime, timedelta

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from schedules import timeparse


def _user_tz(field: serializers.Field):
    request = field.context.get("request")
    user = field.context.get("user") or getattr(request, "user", None)
    return (
        user.tz if user is not None and user.is_authenticated else timezone.get_current_timezone()
    )


@extend_schema_field(OpenApiTypes.DATETIME)
class WhenField(serializers.Field):
    """ISO 8601 (no offset = the user's zone) or a phrase like "tomorrow at 3pm"."""

    default_error_messages = {"invalid": "Give a time as ISO 8601 or words like 'tomorrow at 3pm'."}

    def to_internal_value(self, data) -> datetime:
        if not isinstance(data, str) or not data.strip():
            self.fail("invalid")
        now = self.context.get("now") or timezone.now()
        try:
            return timeparse.parse_datetime(data, tz=_user_tz(self), now=now)
        except timeparse.TimeParseError as exc:
            raise serializers.ValidationError(exc.message) from None

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
        try:
            return timeparse.parse_duration(data)
        except timeparse.TimeParseError as exc:
            raise serializers.ValidationError(exc.message) from None

    def to_representation(self, value: timedelta) -> int:
        return int(value.total_seconds() // 60)

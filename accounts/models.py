import hashlib
import secrets
import zoneinfo
from datetime import time
from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.utils import timezone

from accounts.timezones import LANGUAGE_CHOICES, SPEECH_LANGUAGES


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


# A reminder at most a week before the event (schedules.reminders looks that far ahead).
REMINDER_MINUTES_MAX = 7 * 24 * 60


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    PUSH = "push", "Browser notification"


class User(AbstractUser):
    """A DRAKO user: a schedule owner with their own time zone and language."""

    display_name = models.CharField(max_length=80, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    language = models.CharField(max_length=20, choices=LANGUAGE_CHOICES, default="english")
    working_day_start = models.TimeField(default=time(9, 0))
    working_day_end = models.TimeField(default=time(18, 0))
    # The weekdays the user works (Monday = 0), as digits: free-slot search skips the others.
    working_days = models.CharField(
        max_length=7,
        default="01234",
        validators=[RegexValidator(r"^[0-6]{1,7}$", "Pick at least one working day.")],
    )
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    # Password resets go only to an address its owner proved they read (a signed link).
    email_verified = models.BooleanField(default=False)
    # Reminders and the morning summary (schedules.reminders): new events remind this many
    # minutes before they start (null: no reminder unless the event asks for one).
    reminder_minutes = models.PositiveIntegerField(
        null=True, blank=True, default=10, validators=[MaxValueValidator(REMINDER_MINUTES_MAX)]
    )
    reminder_channel = models.CharField(max_length=5, choices=Channel, default=Channel.EMAIL)
    summary_enabled = models.BooleanField(default=False)
    summary_time = models.TimeField(default=time(7, 30))
    summary_channel = models.CharField(max_length=5, choices=Channel, default=Channel.EMAIL)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(working_day_end__gt=models.F("working_day_start")),
                name="user_working_day_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.username

    @property
    def name(self) -> str:
        return self.display_name or self.first_name or self.username

    @property
    def weekdays_worked(self) -> frozenset[int]:
        """The weekdays (Monday = 0) the user works; all seven if the field says nothing."""
        return frozenset(int(d) for d in self.working_days if d in "0123456") or frozenset(range(7))

    @property
    def speech_language(self) -> str:
        """The language code the assistant answers in: the conversation language when DRAKO
        has its words in it (settings.LANGUAGES), English otherwise."""
        return SPEECH_LANGUAGES.get(self.language, "en")

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            # A zone removed from tzdata after it was saved: fall back rather than crash pages.
            return zoneinfo.ZoneInfo("UTC")


API_KEY_LENGTH = 40  # hex characters: 160 random bits


def api_key_digest(key: str) -> str:
    """What is stored of an API key. A plain SHA-256 suffices: the key is 160 random bits."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """An API key, stored only as its digest: the key itself is shown once, when it is made."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)  # names the token on the profile, proves nothing
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class Session(AbstractBaseSession):
    """A database session, with the id of the user it signs in in a column of its own (set
    whenever the session is saved), so that a signed-in request reads its session and its user
    in one query (accounts.sessions). The column is a hint for that query, never the authority:
    the user is the one the session's data names, checked as Django checks it.

    A user's sessions go with the user. No database constraint: a session saved while its user
    is being deleted must not fail the request over a hint (a row left naming no user reads no
    user, and the session's data then finds none either)."""

    user = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )

    class Meta(AbstractBaseSession.Meta):
        db_table = "accounts_session"

    def __str__(self) -> str:
        # Not the key (AbstractBaseSession's): it is the session's secret, and the admin lists a
        # user's sessions by name when it asks to confirm the user's deletion.
        return f"session until {self.expire_date:%Y-%m-%d %H:%M} UTC"

    @classmethod
    def get_session_store_class(cls):
        # The configured engine (accounts.sessions), found as SessionMiddleware finds it.
        return import_module(settings.SESSION_ENGINE).SessionStore

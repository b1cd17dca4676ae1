from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import factory

from accounts.models import User
from schedules.models import Event

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    time_zone = "Europe/Berlin"
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def token(obj, create, extracted, **kwargs):
        # Only a digest is stored: tests keep the key itself on the object they were handed.
        if create:
            from accounts.services import user_token_create

            obj.api_key = user_token_create(user=obj)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Event {n}")
    start = factory.Sequence(lambda n: datetime(2030, 1, 7, 9, tzinfo=UTC) + timedelta(hours=2 * n))
    end = factory.LazyAttribute(lambda e: e.start + timedelta(hours=1))


def days_ahead(owner, days=2, hour=14) -> datetime:
    """`hour` o'clock, `days` days from now, by the owner's own wall clock."""
    from django.utils import timezone

    start = (timezone.now() + timedelta(days=days)).astimezone(owner.tz)
    return start.replace(hour=hour, minute=0, second=0, microsecond=0)


def future(days=2, hour=15) -> str:
    """A Europe/Berlin wall time (the factories' zone) a few days ahead, as an LLM sends it."""
    from django.utils import timezone

    # The day in Berlin, as days_ahead counts it: around midnight UTC they differ.
    day = timezone.localtime(timezone.now(), ZoneInfo("Europe/Berlin")).date() + timedelta(days)
    return f"{day.isoformat()}T{hour:02d}:00"


def add_event(owner, title, start, end=None, **kwargs):
    """An event created through the service (with its change log), one hour long by default."""
    from schedules import services

    event, _change = services.event_create(
        owner=owner,
        title=title,
        start=start,
        end=end or start + timedelta(hours=1),
        context=services.ChangeContext(actor=owner),
        **kwargs,
    )
    return event


def synced_persona(**overrides):
    """The default persona, synced to the fake Tavus's stock persona (which has a replica)."""
    from personas.models import Persona

    fields = {
        "name": "DRAKO",
        "system_prompt": "You are DRAKO.",
        "tavus_persona_id": "pdced222244b",
        "default_replica_id": "re8e740a42",
        "is_default": True,
        "sync_state": "synced",
    }
    return Persona.objects.create(**(fields | overrides))

"""Bench data, written with bulk_create: users, their events, conversations and tokens."""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from accounts.models import ApiToken, User, api_key_digest
from conversations.models import Conversation, Proposal, ToolCall
from personas.models import Persona
from schedules.models import Event

# Seven one-hour events a day (UTC hours), so a week looks the same for 1,000 or 10,000 events:
# what grows with the count is the user's history and future, not the page.
DAY_SLOTS = (7, 9, 11, 12, 14, 15, 17)
STOCK_PERSONA_ID = "pdced222244b"  # one of the fake Tavus's stock personas
BATCH = 5000


@dataclass(frozen=True)
class Seeded:
    user: User
    token: str
    conversation: Conversation | None = None


def _today() -> datetime:
    return timezone.now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def events_for(user: User, count: int) -> list[Event]:
    """`count` events, seven a day, centred on today."""
    days = -(-count // len(DAY_SLOTS))
    first = _today() - timedelta(days=days // 2)
    events = []
    for i in range(count):
        day, slot = divmod(i, len(DAY_SLOTS))
        start = first + timedelta(days=day, hours=DAY_SLOTS[slot])
        events.append(
            Event(
                owner=user,
                title=f"Event {i}",
                start=start,
                end=start + timedelta(hours=1),
                location="Room 4" if i % 3 == 0 else "",
                show_as=Event.ShowAs.FREE if i % 10 == 0 else Event.ShowAs.BUSY,
            )
        )
    return events


def persona() -> Persona:
    """The default persona, pointing at a persona the fake Tavus knows."""
    return Persona.objects.create(
        name="DRAKO (bench)",
        is_default=True,
        tavus_persona_id=STOCK_PERSONA_ID,
        default_replica_id="re8e740a42",
    )


def users(
    prefix: str, event_counts: list[int], *, live: bool, persona_obj: Persona
) -> list[Seeded]:
    """One user per entry of `event_counts`, with a token, events and (if `live`) a live call."""
    people = User.objects.bulk_create(
        [
            User(username=f"{prefix}{i}", password="!", time_zone="Europe/Berlin")
            for i in range(len(event_counts))
        ]
    )
    tokens = [secrets.token_hex(20) for _ in people]
    ApiToken.objects.bulk_create(
        [
            ApiToken(user=person, digest=api_key_digest(key), prefix=key[:8])
            for person, key in zip(people, tokens, strict=True)
        ]
    )
    events = [
        e for person, n in zip(people, event_counts, strict=True) for e in events_for(person, n)
    ]
    for i in range(0, len(events), BATCH):
        Event.objects.bulk_create(events[i : i + BATCH])
    conversations: list[Conversation | None] = [None] * len(people)
    if live:
        conversations = Conversation.objects.bulk_create(
            [live_conversation(person, persona_obj, i) for i, person in enumerate(people)]
        )
    return [
        Seeded(person, token, conversation)
        for person, token, conversation in zip(people, tokens, conversations, strict=True)
    ]


def live_conversation(user: User, persona_obj: Persona, n: int) -> Conversation:
    return Conversation(
        user=user,
        persona=persona_obj,
        status=Conversation.Status.ACTIVE,
        tavus_conversation_id=f"cbench{user.pk}x{n}",
        conversation_url=f"https://tavus.daily.co/cbench{user.pk}",
        started_at=timezone.now(),
    )


def history(user: User, persona_obj: Persona, count: int = 20) -> Conversation:
    """`count` ended conversations; the newest has a transcript, tool calls and proposals."""
    now = timezone.now()
    ended = Conversation.objects.bulk_create(
        [
            Conversation(
                user=user,
                persona=persona_obj,
                status=Conversation.Status.ENDED,
                tavus_conversation_id=f"cbenchhist{user.pk}x{i}",
                started_at=now - timedelta(days=i + 1),
                ended_at=now - timedelta(days=i + 1) + timedelta(minutes=4),
                shutdown_reason="participant_left_timeout reached",
                transcript=[
                    {"role": "user" if t % 2 == 0 else "assistant", "content": f"Turn {t}."}
                    for t in range(12)
                ],
            )
            for i in range(count)
        ]
    )
    record = ended[0]
    calls = ToolCall.objects.bulk_create(
        [
            ToolCall(
                conversation=record,
                name="list_schedule_events",
                arguments={"when": "today"},
                idempotency_key=f"hist{record.pk}x{i}",
                ok=True,
                result={"ok": True, "say": "Nothing is scheduled for today.", "events": []},
            )
            for i in range(6)
        ]
    )
    Proposal.objects.bulk_create(
        [
            Proposal(
                conversation=record,
                tool_call=calls[i],
                kind=Proposal.Kind.CREATE,
                state=Proposal.State.EXPIRED,
                data={"title": f"Idea {i}"},
                summary=f"Add 'Idea {i}'",
                expires_at=now,
            )
            for i in range(3)
        ]
    )
    return record


def pending_proposals(conversation: Conversation, count: int, *, year: int) -> list[Proposal]:
    """`count` proposals to add one-hour events, each in its own free hour of `year`."""
    first = datetime(year, 1, 5, 9, tzinfo=UTC)
    proposals = []
    for i in range(count):
        start = first + timedelta(hours=i)
        proposals.append(
            Proposal(
                conversation=conversation,
                kind=Proposal.Kind.CREATE,
                data={
                    "title": f"Confirmed {i}",
                    "start": start.isoformat(),
                    "end": (start + timedelta(hours=1)).isoformat(),
                    "location": "",
                    "notes": "",
                },
                summary=f"Add 'Confirmed {i}'",
                expires_at=timezone.now() + timedelta(hours=1),
            )
        )
    return Proposal.objects.bulk_create(proposals)

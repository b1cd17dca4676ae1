"""Security tests: headers, secrets, rate limits, isolation. Shared helpers live here.

`routes()` walks Django's URL resolver, so a new route shows up in every walk by itself.
`seed()` gives a user one of everything a user can own (events, changes, a live and an ended
conversation with tool calls and proposals, a calendar token); it needs the fake Tavus on.
"""

import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the bare pattern when unnamed
    pattern: str  # "/conversations/<int:conversation_id>/" as the resolver has it
    params: tuple[str, ...]

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("/api/")

    def path(self, **values) -> str:
        return PARAM.sub(lambda m: str(values[m["name"]]), self.pattern)


def routes(*, include_admin: bool = False) -> list[Route]:
    """Every URL pattern DRAKO serves (the admin's many views only when asked)."""
    found = []

    def walk(patterns, prefix: str, namespace: str | None):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = entry.namespace or namespace
                if inner == "admin" and not include_admin:
                    continue
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                pattern = "/" + prefix + str(entry.pattern)
                name = f"{namespace}:{entry.name}" if namespace else (entry.name or pattern)
                params = tuple(m["name"] for m in PARAM.finditer(pattern))
                yield Route(name=name, pattern=pattern, params=params)

    for route in walk(get_resolver().url_patterns, "", None):
        found.append(route)
    return found


@dataclass
class Owned:
    """One user's objects, and what they looked like (to prove nobody else changed them)."""

    user: object
    events: list = field(default_factory=list)
    changes: list = field(default_factory=list)
    live: object = None
    ended: object = None
    proposals: list = field(default_factory=list)
    tool_calls: list = field(default_factory=list)
    calendars: list = field(default_factory=list)
    push_subscription: object = None

    def snapshot(self) -> dict:
        from calendars.models import Calendar, CalendarEvent
        from conversations.models import Conversation, Proposal, ToolCall
        from schedules.models import Event, EventChange, Notice, PushSubscription

        def rows(model, **filters):
            return sorted(
                (tuple(sorted(row.items())) for row in model.objects.filter(**filters).values()),
                key=repr,
            )

        self.user.refresh_from_db()
        return {
            "user": (self.user.calendar_token, self.user.api_key, self.user.password),
            "events": rows(Event, owner=self.user),
            "changes": rows(EventChange, owner=self.user),
            "conversations": rows(Conversation, user=self.user),
            "proposals": rows(Proposal, conversation__user=self.user),
            "tool_calls": rows(ToolCall, conversation__user=self.user),
            "calendars": rows(Calendar, owner=self.user),
            "calendar_events": rows(CalendarEvent, owner=self.user),
            "push_subscriptions": rows(PushSubscription, owner=self.user),
            "notices": rows(Notice, owner=self.user),
        }


def seed(user, persona, *, label: str) -> Owned:
    """Events, changes, an ended and a live conversation with a tool call and a proposal."""
    from conversations import services
    from conversations.assistant.calls import ToolRequest, arguments_parse, tool_call_execute
    from schedules import services as schedule_services

    owned = Owned(user=user)
    context = schedule_services.ChangeContext()
    start = timezone.localtime(timezone.now(), user.tz).replace(
        hour=9, minute=0, second=0, microsecond=0
    ) + timedelta(days=1)
    for i in range(2):
        event, change = schedule_services.event_create(
            owner=user,
            title=f"{label}-event-{i}",
            start=start + timedelta(hours=2 * i),
            end=start + timedelta(hours=2 * i + 1),
            context=context,
        )
        owned.events.append(event)
        owned.changes.append(change)
    owned.ended = services.conversation_start(user=user, persona=persona).conversation
    services.conversation_end(conversation=owned.ended)
    owned.live = services.conversation_start(user=user, persona=persona).conversation
    tool_call_execute(
        conversation=owned.live,
        request=ToolRequest(
            name="add_schedule_event",
            arguments=arguments_parse(
                {
                    "title": f"{label}-proposed",
                    "start_time": (start + timedelta(days=1)).replace(tzinfo=None).isoformat(),
                    "end_time": (start + timedelta(days=1, hours=1))
                    .replace(tzinfo=None)
                    .isoformat(),
                }
            ),
            tool_call_id=f"{label}-call",
        ),
    )
    owned.push_subscription = user.push_subscriptions.create(
        endpoint=f"https://push.example.com/{label}-browser", p256dh="key", auth="secret"
    )
    owned.proposals = list(owned.live.proposals.all())
    owned.calendars = [_seed_calendar(user, label, start)]
    owned.tool_calls = list(owned.live.tool_calls.all())
    assert owned.proposals, "the seeded tool call should have proposed a change"
    return owned


def _seed_calendar(user, label: str, start):
    """A subscribed calendar with one event (its URL, like Google's, is a secret)."""
    from calendars.models import Calendar, CalendarEvent

    calendar = Calendar.objects.create(
        owner=user, kind="subscription", name=f"{label}-calendar",
        url=f"https://calendar.example.com/{label}-secret.ics", status="ok",
    )  # fmt: skip
    CalendarEvent.objects.create(
        owner=user, calendar=calendar, uid=f"{label}-uid", title=f"{label}-other-event",
        start=start + timedelta(hours=5), end=start + timedelta(hours=6),
    )  # fmt: skip
    return calendar


def route_values(owned: Owned) -> dict:
    """Values for every route's path parameters, pointing at `owned`'s own objects."""
    return {
        "event_id": owned.events[0].pk,
        "change_id": owned.changes[0].pk,
        "conversation_id": owned.live.pk,
        "calendar_id": owned.calendars[0].pk,
        "token": owned.user.calendar_token,
        "name": "list_schedule_events",
        "action": "confirm",
        "filename": "none.pdf",
        "uidb64": "MQ",
        "subscription_id": owned.push_subscription.pk,
    }

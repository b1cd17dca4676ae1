"""Start your day: the opt-in morning summary, once per local day at the user's local time (DST
included), and its link, which opens a call that greets with today's plan."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from conversations.models import Conversation
from schedules import reminders, services
from schedules.models import Notice
from tests.factories import UserFactory, synced_persona
from tests.push_receiver import Browser, PushService, b64url, vapid_keys

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
CONTEXT = services.ChangeContext()


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.DRAKO_PUBLIC_URL = "https://drako.example.com"


@pytest.fixture
def early_bird(db):
    return UserFactory(username="ed", display_name="Ed", email="ed@example.com",
                       email_verified=True, time_zone="America/New_York", summary_enabled=True,
                       summary_time=time(7, 30))  # fmt: skip


def _at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2030, month, day, hour, minute, tzinfo=NEW_YORK)


def test_the_summary_comes_at_the_local_time_on_both_sides_of_dst(early_bird, mailoutbox):
    """New York springs forward on 2030-03-10: 07:30 local is 12:30 UTC the day before, 11:30
    UTC that day and after."""
    for day in (9, 10, 11):
        assert reminders.summaries_send_due(now=_at(day, 7, 29)) == 0
        assert reminders.summaries_send_due(now=_at(day, 7, 30)) == 1
        assert reminders.summaries_send_due(now=_at(day, 7, 31)) == 0  # once a day
    sent = [n.due_at.astimezone(UTC).strftime("%d %H:%M") for n in Notice.objects.order_by("day")]
    assert sent == ["09 12:30", "10 11:30", "11 11:30"]
    assert len(mailoutbox) == 3


def test_the_summary_on_the_night_the_clocks_go_back(early_bird, mailoutbox):
    """01:30 happens twice on 2030-11-03: the summary comes the first time only."""
    early_bird.summary_time = time(1, 30)
    early_bird.save()
    first = datetime(2030, 11, 3, 5, 30, tzinfo=UTC)  # 01:30 EDT
    assert reminders.summaries_send_due(now=first) == 1
    assert reminders.summaries_send_due(now=first + timedelta(hours=1)) == 0  # 01:30 EST
    assert len(mailoutbox) == 1


def test_the_summary_lists_todays_plan_and_links_to_a_call_about_it(early_bird, mailoutbox):
    for hour, title in ((13, "Lunch with Ana"), (9, "Standup")):
        services.event_create(owner=early_bird, title=title, start=_at(11, hour),
                              end=_at(11, hour, 30), context=CONTEXT)  # fmt: skip
    services.event_create(owner=early_bird, title="Tomorrow's thing", start=_at(12, 9),
                          end=_at(12, 10), context=CONTEXT)  # fmt: skip
    reminders.summaries_send_due(now=_at(11, 7, 30))
    (mail,) = mailoutbox
    assert mail.to == ["ed@example.com"]
    assert mail.subject == "Your day: Monday, March 11"
    lines = mail.body.splitlines()
    assert lines[0] == "Good morning, Ed. Your plan for Monday, March 11:"
    assert "Standup" in lines[1] and "Lunch with Ana" in lines[2]
    assert "Tomorrow's thing" not in mail.body
    assert "https://drako.example.com/conversations/start/?greet=today" in mail.body


def test_an_empty_day_says_so(early_bird, mailoutbox):
    reminders.summaries_send_due(now=_at(11, 7, 30))
    assert "Nothing is planned today." in mailoutbox[0].body


def test_no_summary_unless_asked_for_and_none_hours_late(early_bird, mailoutbox):
    UserFactory(email_verified=True, time_zone="America/New_York")  # summary off
    assert reminders.summaries_send_due(now=_at(11, 8, 30)) == 0  # an hour late: dropped
    assert reminders.summaries_send_due(now=_at(11, 8, 29)) == 1
    assert len(mailoutbox) == 1


def test_the_summary_can_come_by_push(early_bird, settings, mailoutbox):
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = vapid_keys()
    settings.VAPID_SUBJECT = "mailto:admin@drako.example.com"
    settings.PUSH_ALLOW_PRIVATE_HOSTS = True
    early_bird.summary_channel = "push"
    early_bird.save()
    browser = Browser()
    with PushService() as service:
        early_bird.push_subscriptions.create(endpoint=service.url("/p/1"), p256dh=browser.p256dh,
                                             auth=b64url(browser.auth))  # fmt: skip
        assert reminders.summaries_send_due(now=_at(11, 7, 30)) == 1
    message = browser.decrypt(service.received[0].body)
    assert message["title"] == "Your day: Monday, March 11"
    assert message["url"] == "https://drako.example.com/conversations/start/?greet=today"
    assert mailoutbox == []


def test_the_start_link_shows_a_button_and_starts_nothing_by_itself(client, early_bird, fake_tavus):
    synced_persona()
    client.force_login(early_bird)
    response = client.get("/conversations/start/?greet=today")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<input type="hidden" name="greet" value="today">' in page
    assert "your plan for today" in page
    assert not Conversation.objects.exists()
    assert not [r for r in fake_tavus.requests if r.path == "/v2/conversations"]


def test_the_start_link_asks_anonymous_visitors_to_sign_in(client):
    response = client.get("/conversations/start/?greet=today")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_call_from_the_summary_greets_with_todays_plan(client, early_bird, fake_tavus):
    synced_persona()
    soon = datetime.now(UTC) + timedelta(minutes=5)
    services.event_create(owner=early_bird, title="Standup", start=soon,
                          end=soon + timedelta(minutes=30), context=CONTEXT)  # fmt: skip
    client.force_login(early_bird)
    response = client.post("/conversations/start/", {"greet": "today"})
    assert response.status_code == 302
    (request,) = [r for r in fake_tavus.requests if r.path == "/v2/conversations"]
    context = request.json["conversational_context"]
    assert "telling them today's plan" in context and '"Standup"' in context
    assert "custom_greeting" not in request.json  # the persona says the plan itself


def test_a_call_without_the_link_greets_as_usual(api_client, early_bird, fake_tavus):
    synced_persona()
    api_client.force_authenticate(early_bird)
    assert api_client.post("/api/conversations/", {}, format="json").status_code == 201
    (request,) = [r for r in fake_tavus.requests if r.path == "/v2/conversations"]
    assert "today's plan" not in request.json["conversational_context"]
    assert request.json["custom_greeting"].startswith("Hi Ed!")


def test_the_api_takes_greet_today_and_refuses_anything_else(api_client, early_bird, fake_tavus):
    synced_persona()
    api_client.force_authenticate(early_bird)
    bad = api_client.post("/api/conversations/", {"greet": "tomorrow"}, format="json")
    assert bad.status_code == 400 and not Conversation.objects.exists()
    good = api_client.post("/api/conversations/", {"greet": "today"}, format="json")
    assert good.status_code == 201
    (request,) = [r for r in fake_tavus.requests if r.path == "/v2/conversations"]
    assert "telling them today's plan" in request.json["conversational_context"]

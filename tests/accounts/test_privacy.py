"""Leaving DRAKO and taking one's data: /accounts/delete/ and /accounts/export/ (issue 15)."""

import io
import json
import zipfile

import icalendar
import pytest
from django.test import Client

from accounts.models import User
from conversations.models import Conversation, ToolCall
from schedules.models import Event, EventChange
from tests.factories import PASSWORD, UserFactory, synced_persona
from tests.security import seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(fake_tavus, settings):
    settings.DRAKO_PUBLIC_URL = "https://drako.example.com"
    persona = synced_persona()
    mine = seed(UserFactory(username="leaver"), persona, label="MINE")
    theirs = seed(UserFactory(username="stayer"), persona, label="THEIRS")
    client = Client()
    client.force_login(mine.user)
    return mine, theirs, client


def _tavus_ids(owned) -> set[str]:
    return {owned.live.tavus_conversation_id, owned.ended.tavus_conversation_id}


def test_deletion_erases_at_tavus_then_removes_the_user_and_all_their_data(two, fake_tavus):
    mine, theirs, client = two
    before = theirs.snapshot()
    response = client.post("/accounts/delete/", {"password": PASSWORD}, follow=True)
    assert "Your account and all your data are deleted" in response.content.decode()
    assert "Tavus erased your 2 conversations" in response.content.decode()
    assert fake_tavus.hard_deleted == _tavus_ids(mine)
    # The live call was ended before it was erased: nothing goes on being billed.
    ends = [r.path for r in fake_tavus.requests if r.path.endswith("/end")]
    assert f"/v2/conversations/{mine.live.tavus_conversation_id}/end" in ends
    assert not User.objects.filter(username="leaver").exists()
    for model, field in ((Event, "owner"), (EventChange, "owner"), (Conversation, "user")):
        assert not model.objects.filter(**{f"{field}__username": "leaver"}).exists()
    assert not ToolCall.objects.filter(conversation__user__username="leaver").exists()
    assert theirs.snapshot() == before
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_deletes_nothing_and_asks_tavus_nothing(two, fake_tavus):
    mine, _theirs, client = two
    sent = len(fake_tavus.requests)
    response = client.post("/accounts/delete/", {"password": "not-mine"})
    assert "That is not your password." in response.content.decode()
    assert User.objects.filter(pk=mine.user.pk).exists()
    assert len(fake_tavus.requests) == sent
    assert client.get("/accounts/delete/").status_code == 200
    assert client.delete("/accounts/delete/").status_code == 405


def test_a_tavus_failure_says_what_happened_and_never_blocks_deletion_for_good(two, fake_tavus):
    mine, _theirs, client = two
    fake_tavus.fail_next(503, {"error": "down"}, times=10, method="DELETE")
    response = client.post("/accounts/delete/", {"password": PASSWORD})
    html = response.content.decode()
    assert response.status_code == 502
    assert "Tavus could not erase 2 of your 2 conversations just now" in html
    assert "Your account is still here" in html and 'name="anyway"' in html
    assert User.objects.filter(pk=mine.user.pk).exists()
    # The person chooses to go ahead: the account goes, and the words say what stays at Tavus.
    response = client.post(
        "/accounts/delete/", {"password": PASSWORD, "anyway": "yes"}, follow=True
    )
    html = response.content.decode()
    assert "Your account and all your data are deleted" in html
    assert "those stay at Tavus until Tavus removes them" in html
    assert not User.objects.filter(pk=mine.user.pk).exists()


def test_a_conversation_tavus_no_longer_has_counts_as_erased(two, fake_tavus):
    mine, _theirs, client = two
    fake_tavus.conversations.pop(mine.ended.tavus_conversation_id)
    response = client.post("/accounts/delete/", {"password": PASSWORD}, follow=True)
    assert "Your account and all your data are deleted" in response.content.decode()


def test_without_tavus_configured_the_person_is_told_and_may_still_leave(two, settings):
    mine, _theirs, client = two
    settings.TAVUS_API_KEY = ""
    response = client.post("/accounts/delete/", {"password": PASSWORD})
    assert "TAVUS_API_KEY is empty" in response.content.decode()
    client.post("/accounts/delete/", {"password": PASSWORD, "anyway": "yes"})
    assert not User.objects.filter(pk=mine.user.pk).exists()


def test_export_is_a_zip_of_ones_own_events_and_conversations(two):
    mine, theirs, client = two
    response = client.get("/accounts/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="drako-export-')
    assert "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["conversations.json", "events.ics"]
    calendar = icalendar.Calendar.from_ical(archive.read("events.ics"))
    titles = {str(e["summary"]) for e in calendar.walk("VEVENT")}
    assert titles == {"MINE-event-0", "MINE-event-1"}
    conversations = json.loads(archive.read("conversations.json"))
    assert {c["id"] for c in conversations} == {mine.live.pk, mine.ended.pk}
    live = next(c for c in conversations if c["id"] == mine.live.pk)
    assert live["tool_calls"][0]["name"] == "add_schedule_event"
    assert live["proposals"][0]["state"] == "proposed"
    assert "transcript" in live
    everything = response.content + archive.read("conversations.json")
    for secret in ("THEIRS", theirs.user.username, mine.live.callback_secret):
        assert secret.encode() not in everything


def test_export_and_delete_need_sign_in(client):
    for path in ("/accounts/export/", "/accounts/delete/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")

import json

import pytest
from django.urls import reverse

from conversations.models import Conversation, ToolCall
from schedules.models import Event
from tests.conversations.conftest import recorded
from tests.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db


def test_schedule_page_offers_talk_button_when_configured(user_client, persona, tavus_on):
    html = user_client.get(reverse("schedules:schedule")).content.decode()
    assert "Talk to DRAKO" in html and reverse("conversations:start") in html


def test_schedule_page_explains_what_to_configure_without_a_key(user_client, persona):
    html = user_client.get(reverse("schedules:schedule")).content.decode()
    assert "TAVUS_API_KEY" in html
    assert reverse("conversations:start") not in html


def test_talk_button_starts_and_opens_the_live_page(user_client, persona, tavus_on, settings):
    response = user_client.post(reverse("conversations:start"))
    conversation = Conversation.objects.get()
    assert response["Location"] == reverse("conversations:detail", args=[conversation.pk])
    page = user_client.get(response["Location"])
    html = page.content.decode()
    assert settings.DAILY_JS_URL in html and "js/conversation.js" in html
    config = json.loads(
        html.split('id="conversation-config" type="application/json">')[1].split("</script>")[0]
    )
    assert config["conversationUrl"] == conversation.conversation_url
    assert "frame-src https://*.daily.co" in page.headers["Content-Security-Policy"]
    assert tavus_on.api_key not in html


def test_talk_button_shows_tavus_refusal_in_words(user_client, persona, tavus_on):
    tavus_on.fail_next(
        400,
        {"message": "User has reached maximum concurrent conversations"},
        path_prefix="/conversations",
    )
    response = user_client.post(reverse("conversations:start"), follow=True)
    assert "video lines are busy" in response.content.decode()


def test_end_button_ends_and_shows_the_record(user_client, live_conversation):
    response = user_client.post(
        reverse("conversations:end", args=[live_conversation.pk]), follow=True
    )
    assert "Conversation with DRAKO" in response.content.decode()
    live_conversation.refresh_from_db()
    assert live_conversation.status == "ended"


def test_history_lists_only_my_conversations(user_client, live_conversation, other_user, persona):
    theirs = Conversation.objects.create(user=other_user, persona=persona, status="ended")
    html = user_client.get(reverse("conversations:list")).content.decode()
    assert reverse("conversations:detail", args=[live_conversation.pk]) in html
    assert reverse("conversations:detail", args=[theirs.pk]) not in html


def test_record_page_shows_transcript_tool_calls_and_changes_with_undo(
    client, user_client, user_api, live_conversation
):
    url = f"/api/conversations/{live_conversation.pk}/tool-calls/"
    proposed = user_api.post(
        url,
        {
            "name": "add_schedule_event",
            "arguments": {"title": "Gym", "start_time": "2030-01-08T18:00"},
        },
        format="json",
    ).json()
    user_api.post(
        url,
        {"name": "confirm_change", "arguments": {"change_id": proposed["change_id"]}},
        format="json",
    )
    user_api.post(f"/api/conversations/{live_conversation.pk}/end/")
    payload = recorded("application.transcription_ready__2026", live_conversation)
    client.post(
        f"/api/tavus/callbacks/{live_conversation.callback_token}/",
        json.dumps(payload),
        content_type="application/json",
    )
    run_queued_tasks()  # the worker applies the acknowledged webhook
    html = user_client.get(
        reverse("conversations:detail", args=[live_conversation.pk])
    ).content.decode()
    assert "Move my dentist to Thursday at three." in html
    assert "add_schedule_event" in html and "confirm_change" in html
    assert "&quot;title&quot;: &quot;Gym&quot;" in html  # each call's arguments
    assert "Change: Add &#x27;Gym&#x27;" in html  # and the change it made
    assert "Add &#x27;Gym&#x27;" in html and "Undo" in html
    undo_url = reverse(
        "conversations:change-undo", args=[live_conversation.pk, proposed["change_id"]]
    )
    response = user_client.post(undo_url, follow=True)
    assert "Undone" in response.content.decode()
    assert not Event.objects.filter(title="Gym").exists()


def test_record_undo_of_other_users_change_is_404(client, other_user, live_conversation):
    client.force_login(other_user)
    assert (
        client.post(
            reverse("conversations:change-undo", args=[live_conversation.pk, 1])
        ).status_code
        == 404
    )


def test_playground_is_staff_only(user_client):
    assert user_client.get(reverse("conversations:playground")).status_code == 404


def test_playground_runs_tools_on_own_schedule_without_tavus(client, staff_user, persona):
    client.force_login(staff_user)
    html = client.get(reverse("conversations:playground")).content.decode()
    for name in ("add_schedule_event", "find_free_slots", "undo_last_change"):
        assert f"Run {name}" in html
    response = client.post(
        reverse("conversations:playground"),
        {"tool": "add_schedule_event", "title": "Try", "start_time": "2030-01-08T10:00"},
    )
    assert "Shall I go ahead?" in response.content.decode()
    client.post(reverse("conversations:playground"), {"tool": "confirm_change", "change_id": "0"})
    event = Event.objects.get(title="Try")
    assert event.owner == staff_user
    assert ToolCall.objects.filter(via="playground").count() == 2
    # the playground never blocks a real conversation, nor shows as one
    assert (
        "Return to the conversation"
        not in client.get(reverse("schedules:schedule")).content.decode()
    )


def test_admin_pages_for_conversations_tool_calls_and_proposals(
    client, staff_user, user_api, live_conversation
):
    user_api.post(
        f"/api/conversations/{live_conversation.pk}/tool-calls/",
        {"name": "list_schedule_events"},
        format="json",
    )
    client.force_login(staff_user)
    for name in ("conversation", "toolcall", "proposal"):
        assert client.get(reverse(f"admin:conversations_{name}_changelist")).status_code == 200
    assert (
        client.get(
            reverse("admin:conversations_conversation_change", args=[live_conversation.pk])
        ).status_code
        == 200
    )
    call = ToolCall.objects.get()
    assert (
        client.get(reverse("admin:conversations_toolcall_change", args=[call.pk])).status_code
        == 200
    )


def test_admin_end_at_tavus_action(client, staff_user, live_conversation, tavus_on):
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:conversations_conversation_changelist"),
        {"action": "end_at_tavus", "_selected_action": [live_conversation.pk]},
        follow=True,
    )
    assert "Ended 1 conversation" in response.content.decode()
    live_conversation.refresh_from_db()
    assert live_conversation.status == "ended"

"""Where reminders are set: the Events API, the event form, the profile, the admin."""

from datetime import time

import pytest

from schedules.models import Event
from tests.factories import add_event, days_ahead, future

pytestmark = pytest.mark.django_db


def test_the_api_defaults_to_the_profile_and_takes_a_list(user_api, user):
    made = user_api.post("/api/events/", {"title": "A", "start": future(hour=9),
                                          "end": future(hour=10)}, format="json")  # fmt: skip
    assert made.status_code == 201 and made.json()["reminders"] == [10]
    chosen = user_api.post("/api/events/", {"title": "B", "start": future(hour=11),
                                            "end": future(hour=12), "reminders": [60, 0]},
                           format="json")  # fmt: skip
    assert chosen.json()["reminders"] == [0, 60]
    event_id = chosen.json()["id"]
    patched = user_api.patch(f"/api/events/{event_id}/", {"reminders": []}, format="json")
    assert patched.status_code == 200 and patched.json()["reminders"] == []
    listed = user_api.get("/api/events/", {"start": future(hour=0), "end": future(hour=23)})
    assert [e["reminders"] for e in listed.json()] == [[10], []]


@pytest.mark.parametrize(
    "bad", [[-5], [10081], [1, 2, 3, 4, 5, 6], ["soon"], "10", {"minutes": 10}, [1.5]]
)
def test_the_api_refuses_reminders_out_of_bounds_and_changes_nothing(user_api, user, bad):
    made = user_api.post("/api/events/", {"title": "A", "start": future(hour=9),
                                          "end": future(hour=10), "reminders": bad},
                         format="json")  # fmt: skip
    assert made.status_code == 400 and "reminders" in made.json()["errors"]
    assert not Event.objects.exists()
    event = add_event(user, "Dentist", days_ahead(user, 2, 14))
    patched = user_api.patch(f"/api/events/{event.pk}/", {"reminders": bad}, format="json")
    assert patched.status_code == 400
    event.refresh_from_db()
    assert event.reminders == [10]


def test_the_event_form_shows_the_default_and_saves_the_minutes(client, user):
    client.force_login(user)
    page = client.get("/schedule/events/new/").content.decode()
    assert 'name="reminders"' in page and 'value="10"' in page
    event = add_event(user, "Dentist", days_ahead(user, 2, 14))
    form = client.get(f"/schedule/events/{event.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(reminders="60, 5", date=data["date"].isoformat(), start_time="14:00",
                end_date=data["end_date"].isoformat(), end_time="15:00")  # fmt: skip
    response = client.post(f"/schedule/events/{event.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    event.refresh_from_db()
    assert event.reminders == [5, 60]
    data["reminders"] = "soon"
    refused = client.post(f"/schedule/events/{event.pk}/edit/", data)
    assert refused.status_code == 200
    assert "Write minutes as numbers" in refused.content.decode()
    data["reminders"] = "99999"
    assert "a week" in client.post(f"/schedule/events/{event.pk}/edit/", data).content.decode()
    event.refresh_from_db()
    assert event.reminders == [5, 60]


def test_the_profile_saves_reminder_and_summary_settings(client, user):
    client.force_login(user)
    form = {
        "display_name": "A", "email": user.email, "time_zone": "Europe/Berlin",
        "language": "english", "working_day_start": "09:00", "working_day_end": "17:00",
        "working_days": ["0", "1", "2", "3", "4"], "reminder_minutes": "", "reminder_channel":
        "push", "summary_enabled": "on", "summary_time": "06:45", "summary_channel": "email",
    }  # fmt: skip
    assert client.post("/accounts/profile/", form).status_code == 302
    user.refresh_from_db()
    assert user.reminder_minutes is None and user.reminder_channel == "push"
    assert user.summary_enabled and user.summary_time == time(6, 45)
    refused = client.post("/accounts/profile/", {**form, "reminder_minutes": "20000"})
    assert refused.status_code == 200
    user.refresh_from_db()
    assert user.reminder_minutes is None
    page = client.get("/accounts/profile/").content.decode()
    assert "Reminders and your morning summary" in page

"""The JSON API reads times through the one time understanding, in the user's zone and language."""

from datetime import UTC, datetime

import pytest
from rest_framework.test import APIClient

from schedules.models import Event
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {user.api_key}")
    return client


def test_a_programs_explicit_offset_is_that_instant(user_api):
    response = user_api.post(
        "/api/events/",
        {"title": "Call", "start": "2030-01-08T08:00:00Z", "end": "2030-01-08T09:00:00+00:00"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["start"] == "2030-01-08T09:00:00+01:00"  # Berlin's wall time
    assert Event.objects.get().start == datetime(2030, 1, 8, 8, tzinfo=UTC)


def test_phrases_are_read_in_the_users_own_language():
    user = UserFactory(time_zone="Europe/Madrid", language="spanish")
    response = _client(user).post(
        "/api/events/",
        {"title": "Médico", "start": "8 de enero de 2030 a las 9 de la mañana",
         "end": "8 de enero de 2030 a las diez y media de la mañana"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    event = Event.objects.get()
    assert (event.start, event.end) == (
        datetime(2030, 1, 8, 8, tzinfo=UTC),
        datetime(2030, 1, 8, 9, 30, tzinfo=UTC),
    )


def test_a_time_that_needs_a_question_is_a_400_with_the_question_and_the_hint(user_api):
    response = user_api.post(
        "/api/events/",
        {"title": "Gym", "start": "January 8 2030 at 7", "end": "January 8 2030 at 8pm"},
        format="json",
    )
    assert response.status_code == 400
    detail = str(response.json())
    assert "Do you mean 7 in the morning, or 7 in the evening?" in detail
    assert "Put this question to the user" in detail
    assert not Event.objects.exists()


def test_a_duration_in_words_in_the_users_language(db):
    user = UserFactory(time_zone="Europe/Berlin", language="german")
    response = _client(user).get(
        "/api/events/free-slots/",
        {"duration": "anderthalb Stunden", "start": "2030-01-08T00:00", "end": "2030-01-09T00:00"},
    )
    assert response.status_code == 200, response.json()
    assert response.json() and all(slot["minutes"] >= 90 for slot in response.json())

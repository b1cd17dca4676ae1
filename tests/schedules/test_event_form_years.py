"""The web event form bounds years like the API (issue 15).

Years 1, 1000 and 9999 were accepted by the form and answered a 500 *after* the event was saved
or moved (rendering the week of year 1 or 9999 failed). The service's one statement of what an
event may be (schedules.services.event_problems) now bounds them, and the form shows its answer.
"""

import pytest
from django.test import Client
from django.urls import reverse

from schedules.models import Event
from tests.factories import UserFactory, add_event
from tests.schedules.test_views import at, form_data

pytestmark = pytest.mark.django_db
YEARS = ["0001", "1000", "9999"]


@pytest.fixture
def signed_in():
    user = UserFactory(time_zone="Europe/Berlin")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return user, client


@pytest.mark.parametrize("year", YEARS)
def test_create_with_an_out_of_range_year_is_a_form_error_and_saves_nothing(signed_in, year):
    user, client = signed_in
    day = f"{year}-03-07"
    response = client.post(
        reverse("schedules:event-create"), form_data(date=day, end_date=day), follow=True
    )
    assert response.status_code == 200
    assert not Event.objects.filter(owner=user).exists()


@pytest.mark.parametrize("year", YEARS)
def test_moving_an_event_to_an_out_of_range_year_changes_nothing(signed_in, year):
    user, client = signed_in
    event = add_event(user, "Dentist", at("Europe/Berlin", 2030, 3, 7, 15, 0))
    day = f"{year}-03-07"
    response = client.post(
        reverse("schedules:event-edit", args=[event.pk]),
        form_data(date=day, end_date=day),
        follow=True,
    )
    assert response.status_code == 200
    event.refresh_from_db()
    assert event.start.year == 2030

"""A weekly series made on the event form, and one of its occurrences moved on its own."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from schedules.models import Event
from tests.browser.test_journeys import _block
from tests.factories import UserFactory

MONDAY = date(2030, 3, 4)
THURSDAY = MONDAY + timedelta(days=3)
DASH = "\N{EN DASH}"


def _week(web, monday: date) -> None:
    web.goto(f"{reverse('schedules:schedule')}?view=week&date={monday.isoformat()}")


@pytest.mark.django_db(transaction=True)
def test_create_a_weekly_series_and_move_one_occurrence(web):
    user = UserFactory(time_zone="Europe/Berlin")
    web.sign_in(user)
    web.goto(f"{reverse('schedules:event-create')}?start={MONDAY.isoformat()}T09:00")
    page = web.page
    page.get_by_label("Title", exact=True).fill("Team sync")
    page.get_by_label("Start time").fill("09:00")
    page.get_by_label("End time").fill("09:30")
    page.get_by_label("Repeats", exact=True).select_option("weekly")
    # The days appear once "weekly" is picked (no script: CSS :has on the select).
    expect(page.get_by_label("Mon", exact=True)).to_be_visible()
    page.get_by_label("Mon", exact=True).check()
    page.get_by_label("Thu", exact=True).check()
    page.get_by_role("button", name="Add to schedule").click()
    expect(page.locator(".messages")).to_contain_text("Added 'Team sync'", ignore_case=False)
    expect(page.locator(".messages")).to_contain_text("repeating every Monday and Thursday")
    series = Event.objects.get(owner=user)
    assert series.recurrence == "FREQ=WEEKLY;BYDAY=MO,TH"

    _week(web, MONDAY)
    expect(_block(page, MONDAY, "Team sync")).to_contain_text(f"9:00 {DASH} 9:30 AM")
    expect(_block(page, THURSDAY, "Team sync")).to_contain_text(f"9:00 {DASH} 9:30 AM")

    _block(page, THURSDAY, "Team sync").click()
    expect(page.get_by_role("heading", name="Edit event")).to_be_visible()
    expect(page.get_by_label("Starts", exact=True)).to_have_value(THURSDAY.isoformat())
    scope = page.get_by_label("This event repeats. Change which?")
    expect(scope).to_have_value("this")
    page.get_by_label("Start time").fill("11:00")
    page.get_by_label("End time").fill("11:30")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".messages")).to_contain_text("Moved 'Team sync'")

    _week(web, MONDAY)
    expect(_block(page, THURSDAY, "Team sync")).to_contain_text(f"11:00 {DASH} 11:30 AM")
    expect(_block(page, MONDAY, "Team sync")).to_contain_text(f"9:00 {DASH} 9:30 AM")
    _week(web, MONDAY + timedelta(days=7))
    expect(_block(page, THURSDAY + timedelta(days=7), "Team sync")).to_contain_text(
        f"9:00 {DASH} 9:30 AM"
    )
    assert Event.objects.filter(series=series).count() == 1

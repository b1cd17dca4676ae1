"""Schedules the browser tests look at: a busy week with overlaps, a month, a few things to find."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from schedules.models import Event
from tests.factories import EventFactory

WEEK = date(2030, 3, 4)  # a Monday, so the layout is the same whenever the tests run
WEDNESDAY = WEEK + timedelta(days=2)
# (day of the week, start, minutes, title, location, notes)
BUSY_WEEK = [
    (0, "09:00", 30, "Team standup", "", ""),
    (0, "09:00", 60, "Quarterly planning", "Room Spree", ""),
    (0, "09:15", 45, "Interview candidate", "", ""),
    (0, "10:00", 120, "Design review", "Room Havel", ""),
    (0, "10:30", 60, "Lunch with Sam", "Café Einstein", ""),
    (0, "11:00", 30, "Budget sync", "", ""),
    (0, "11:15", 30, "Call with Jonas", "", ""),
    (1, "12:30", 60, "Lunch with Sam", "Café Einstein", ""),
    (
        1,
        "13:00",
        90,
        "Workshop",
        "Room Spree",
        "Bring the slides and the Kastanienallee floor plan",
    ),
    (1, "14:00", 15, "Coffee", "", ""),
    (2, "15:00", 60, "Dentist", "Kastanienallee 12", ""),
    (3, "10:00", 90, "Quarterly planning", "Room Spree", ""),
    (3, "14:00", 30, "1:1 with Priya", "", ""),
    (3, "14:10", 30, "Onboarding checklist", "", ""),
    (4, "08:00", 240, "Deep work", "", ""),
    (4, "09:00", 60, "Architecture office hours", "", ""),
    (4, "10:00", 60, "Procurement", "", ""),
    (4, "18:00", 90, "Climbing with Jonas", "Berta Block", ""),
]


def at(zone: ZoneInfo, day: date, clock: str) -> datetime:
    hour, minute = map(int, clock.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def busy_week(user) -> list[Event]:
    """BUSY_WEEK in the user's zone, plus a free all-day event on Wednesday."""
    zone = user.tz
    events = [
        EventFactory(
            owner=user,
            title=title,
            start=at(zone, WEEK + timedelta(days=day), clock),
            end=at(zone, WEEK + timedelta(days=day), clock) + timedelta(minutes=minutes),
            location=location,
            notes=notes,
        )
        for day, clock, minutes, title, location, notes in BUSY_WEEK
    ]
    holiday_start = at(zone, WEDNESDAY, "00:00")
    events.append(
        EventFactory(
            owner=user,
            title="Holiday in Potsdam",
            start=holiday_start,
            end=holiday_start + timedelta(days=1),
            all_day=True,
            show_as=Event.ShowAs.FREE,
        )
    )
    return events

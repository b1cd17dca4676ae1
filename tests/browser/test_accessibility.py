"""Every main page, on a laptop and on a small phone: axe-core finds nothing serious or critical,
and at 360 px nothing scrolls sideways and everything a finger presses is at least 44 px.

The live call and the conversation record are checked with their own tests. The table of what
axe-core found on each page is written to tests/browser/artifacts/axe.md (see conftest.py).
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import pytest
from django.test import RequestFactory
from django.urls import reverse
from playwright.sync_api import expect

from drako.views import server_error_view
from tests.browser.conftest import DESKTOP, PHONE, TIME_ZONE
from tests.browser.scenes import WEEK, busy_week
from tests.factories import UserFactory, add_event

SCHEDULE = reverse("schedules:schedule")
SERVER_ERROR = "/__server-error__/"  # answered with the 500 handler's page (see _server_error)

# Every visible control smaller than 44 x 44 px. Links inside running text are exempt, as in
# WCAG's target-size rules; a checkbox counts together with its label.
SMALL_TARGETS = """() => Array.from(document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, summary")).flatMap(el => {
  const style = getComputedStyle(el);
  if (style.visibility === "hidden" || el.closest("[hidden], details:not([open]) > :not(summary)"))
    return [];
  let box = el.getBoundingClientRect();
  if (box.width === 0 || box.height === 0 || box.right <= 0) return [];  // not shown, or off-screen
  if (el.tagName === "A" && style.display === "inline") return [];
  if (el.type === "checkbox" && el.labels.length) {
    const label = el.labels[0].getBoundingClientRect();
    box = {width: box.width + label.width, height: Math.max(box.height, label.height)};
  }
  return box.width < 43.5 || box.height < 43.5
    ? [`${el.outerHTML.slice(0, 90)} (${Math.round(box.width)} x ${Math.round(box.height)})`]
    : [];
})"""


@dataclass(frozen=True)
class Visit:
    name: str
    path: str
    who: str = "busy"  # "busy" (a full week), "new" (no events yet), or "anonymous"
    then: str = ""  # what to do once there: "open-group", "expire-form"
    status: int = 200
    phone: bool = True  # also shown on phones (the week grid's groups are not: it's an agenda)


PAGES = [
    Visit("home", "/", "anonymous"),
    Visit("sign in", reverse("login"), "anonymous"),
    Visit("sign up", reverse("signup"), "anonymous"),
    Visit("week", f"{SCHEDULE}?view=week&date={WEEK}"),
    Visit(
        "week, a group open", f"{SCHEDULE}?view=week&date={WEEK}", then="open-group", phone=False
    ),
    Visit("day", f"{SCHEDULE}?view=day&date={WEEK}"),
    Visit("month", f"{SCHEDULE}?view=month&date={WEEK}"),
    Visit("search", f"{reverse('schedules:event-search')}?q=sam"),
    Visit("first run", SCHEDULE, "new"),
    Visit("new event", reverse("schedules:event-create")),
    Visit("edit event", "edit"),
    Visit("edit a repeating event", "edit-occurrence"),
    Visit("profile", reverse("profile")),
    Visit("your other calendars", reverse("calendars:calendars")),
    Visit("conversations", reverse("conversations:list")),
    Visit("example conversation", reverse("example-conversation"), "new"),
    Visit("404", "/no/such/page/", status=404),
    Visit("403, form expired", reverse("login"), "anonymous", then="expire-form", status=403),
    Visit("500", SERVER_ERROR, "anonymous", status=500),
]


def _server_error(route):
    request = RequestFactory().get(SERVER_ERROR)
    page = server_error_view(request)
    route.fulfill(status=500, body=page.content, content_type="text/html; charset=utf-8")


def _visit(web, visit: Visit, users: dict, events) -> None:
    if visit.who != "anonymous":
        web.sign_in(users[visit.who])
    path = {
        "edit": reverse("schedules:event-edit", args=[events[3].pk]),
        "edit-occurrence": (
            f"{reverse('schedules:event-edit', args=[events[-1].pk])}"
            f"?occurrence={events[-1].start.isoformat().replace('+', '%2B')}"
        ),
    }.get(visit.path, visit.path)
    web.goto(path)
    if visit.then == "open-group":
        web.page.locator(".event-group summary").first.click()
        expect(web.page.locator(".event-group[open] .group-list")).to_be_visible()
    elif visit.then == "expire-form":
        web.context.clear_cookies()
        web.page.locator("input[name=username]").fill("someone")
        web.page.locator("input[name=password]").fill("whatever-it-is")
        web.page.locator("main form").get_by_role("button", name="Sign in").click()
        expect(web.page.get_by_role("heading", name="This form has expired")).to_be_visible()
    if visit.status != 200:
        # Chromium logs an error page's status on the console; here it is the page under test.
        expected = f"the server responded with a status of {visit.status}"
        web.errors[:] = [e for e in web.errors if expected not in e]


def _visits(size: dict) -> list[Visit]:
    return [v for v in PAGES if v.phone or size != PHONE]


def _work_calendar(user) -> None:
    """A subscribed calendar that fails to sync, with a timed and an all-day event that week."""
    from calendars.models import Calendar, CalendarEvent

    work = Calendar.objects.create(
        owner=user, kind="subscription", url="https://calendar.example.com/work.ics",
        name="Work", status="error", last_error="The calendar's server took too long to answer.",
    )  # fmt: skip
    tuesday = datetime.combine(WEEK + timedelta(days=1), time(15), tzinfo=user.tz)
    friday = datetime.combine(WEEK + timedelta(days=4), time(0), tzinfo=user.tz)
    CalendarEvent.objects.create(owner=user, calendar=work, uid="board", title="Board call",
                                 start=tuesday, end=tuesday + timedelta(hours=1))  # fmt: skip
    CalendarEvent.objects.create(owner=user, calendar=work, uid="offsite", title="Offsite",
                                 start=friday, end=friday + timedelta(days=1), all_day=True,
                                 show_as="free")  # fmt: skip


@pytest.fixture
def site(web):
    """A user with a busy week, a new user, and the 500 page served where the browser can see it."""
    busy = UserFactory(time_zone=TIME_ZONE, display_name="Berta")
    sunday = datetime.combine(WEEK + timedelta(days=6), time(12), tzinfo=busy.tz)
    walk = add_event(busy, "Long walk", sunday, recurrence="FREQ=WEEKLY", allow_conflict=True)
    events = [*busy_week(busy), walk]
    _work_calendar(busy)
    web.context.route(web.url(SERVER_ERROR), _server_error)
    return {"busy": busy, "new": UserFactory(time_zone=TIME_ZONE)}, events


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_main_page_passes_axe_core(web, axe, site, size):
    users, events = site
    web.resize(size)
    label = "1440 x 900" if size == DESKTOP else "360 x 740"
    problems = []
    for visit in _visits(size):
        web.context.clear_cookies()
        _visit(web, visit, users, events)
        result = axe.run(web.page, f"{visit.name} ({label})")
        problems += [f"{result.where}: {v}" for v in result.blocking]
    assert problems == [], "\n".join(problems)


def test_every_main_page_is_usable_at_360_px(web, site):
    users, events = site
    web.resize(PHONE)
    problems = []
    for visit in _visits(PHONE):
        web.context.clear_cookies()
        _visit(web, visit, users, events)
        width = web.page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{visit.name}: the page is {width} px wide")
        problems += [f"{visit.name}: {small}" for small in web.page.evaluate(SMALL_TARGETS)]
        if visit.name in ("month", "first run", "day", "search"):
            web.screenshot(f"phone-{visit.name.replace(' ', '-')}", full_page=True)
    assert problems == [], "\n".join(problems)


def test_the_axe_helper_fails_on_what_it_must(web, axe):
    """A planted problem of each kind the checks rely on is reported as blocking."""
    web.goto("/")
    # The "Sign up" button at 1:1 (axe-core only files that for review), and two tiny
    # links side by side.
    web.page.evaluate(
        """() => {
      const button = document.querySelector(".site-nav a.button");
      button.style.color = getComputedStyle(button).backgroundColor;
      const row = document.createElement("p");
      for (const text of ["a", "b"]) {
        const tiny = document.createElement("a");
        tiny.href = "/" + text; tiny.textContent = text;
        Object.assign(tiny.style, {display: "inline-block", width: "8px", height: "8px",
                                   fontSize: "6px", lineHeight: "8px"});
        row.append(tiny);
      }
      document.querySelector("main").append(row);
    }"""
    )
    result = axe.run(web.page, "planted problems")
    axe.results.remove(result)  # not a page of DRAKO's: kept out of the table
    assert {v.rule for v in result.blocking} >= {"color-contrast", "target-size"}

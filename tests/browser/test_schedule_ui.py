"""The schedule as people expect it, in a real browser: a busy week stays readable, short events
show their time on hover and focus, the month view, search, the first five minutes, the phone.

With DRAKO_SCREENSHOTS=1 it saves the README's screenshots of each main view in docs/screenshots/.
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from conversations.models import Conversation
from schedules.models import Event
from tests.browser.conftest import DESKTOP, PHONE, TIME_ZONE
from tests.browser.scenes import WEDNESDAY, WEEK, at, busy_week
from tests.factories import EventFactory, UserFactory

SCHEDULE = reverse("schedules:schedule")

# For every event block in the week grid: its title's first word against the room it has, any
# word the browser broke across lines, and whether another block covers the title's first word.
READABLE = """() => {
  const ctx = document.createElement("canvas").getContext("2d");
  return Array.from(document.querySelectorAll(".calendar .event")).map(block => {
    block.scrollIntoView({block: "center"});
    const title = block.querySelector(".event-title");
    const style = getComputedStyle(title);
    ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const text = title.textContent.trim();
    const word = text.split(/\\s+/)[0];
    const need = ctx.measureText(word).width;
    const box = title.getBoundingClientRect();
    const broken = [];
    const node = title.firstChild;
    let from = node.textContent.indexOf(text);
    for (const w of text.split(/\\s+/)) {
      const at = node.textContent.indexOf(w, from);
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + w.length);
      const lines = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
      if (lines.size > 1) broken.push(w);
      from = at + w.length;
    }
    const y = box.top + Math.min(box.height, parseFloat(style.lineHeight) || 12) / 2;
    const xs = [box.left + 1, box.left + Math.min(need, box.width) - 1];
    const covered = xs.some(x => !block.contains(document.elementFromPoint(x, y)));
    return {title: text, word, need, have: box.width, broken, covered};
  });
}"""


def _block(page, title: str):
    return page.locator(".calendar .event", has_text=title)


@pytest.mark.parametrize("size", [DESKTOP, {"width": 1024, "height": 768}], ids=["1440", "1024"])
def test_a_busy_week_keeps_every_title_readable(web, size):
    user = UserFactory(time_zone=TIME_ZONE)
    events = busy_week(user)
    web.resize(size)
    web.sign_in(user)
    web.goto(f"{SCHEDULE}?view=week&date={WEDNESDAY}")

    blocks = web.page.evaluate(READABLE)
    assert len(blocks) >= 12
    problems = [b for b in blocks if b["have"] + 0.5 < b["need"] or b["broken"] or b["covered"]]
    assert problems == [], problems
    # Overlaps cascade, and what would hide a title is collapsed into "+N more", so every timed
    # event is still on the page, once: as a block, or in a group's list.
    assert web.page.locator(".calendar .event.depth-1").count() >= 3
    assert web.page.locator(".calendar .event.depth-2").count() >= 1
    drawn = web.page.locator(".calendar [data-event-id]").evaluate_all(
        "els => els.map(e => Number(e.dataset.eventId))"
    )
    timed = sorted(e.pk for e in events if not e.all_day)
    assert sorted(drawn) == timed
    all_day = web.page.locator(".cal-all-day .all-day-event")
    expect(all_day).to_have_text("Holiday in Potsdam")
    expect(all_day).to_have_class("all-day-event is-free")
    if size == DESKTOP:
        web.page.evaluate("window.scrollTo(0, 0)")
        web.screenshot("week-overlaps", full_page=True)


def test_a_group_opens_to_list_its_events_and_closes_on_escape(web):
    user = UserFactory(time_zone=TIME_ZONE)
    busy_week(user)
    web.resize(DESKTOP)
    web.sign_in(user)
    web.goto(f"{SCHEDULE}?view=week&date={WEEK}")
    group = web.page.locator(".event-group", has_text="Quarterly planning")
    summary = group.locator("summary")
    expect(summary).to_contain_text("+2 more")
    summary.click()
    links = group.locator(".group-list a")
    expect(links).to_have_count(3)
    expect(links.nth(0)).to_contain_text("9:00 \N{EN DASH} 9:30 AM")
    expect(links).to_contain_text(["Team standup", "Quarterly planning", "Interview candidate"])
    web.page.keyboard.press("Escape")
    expect(links.first).to_be_hidden()
    expect(summary).to_be_focused()
    summary.press("Enter")
    links.nth(2).click()
    expect(web.page.get_by_role("heading", name="Edit event")).to_be_visible()
    expect(web.page.get_by_label("Title", exact=True)).to_have_value("Interview candidate")


def _tip_width(block) -> float:
    return block.locator(".event-time").evaluate("e => e.getBoundingClientRect().width")


def test_a_short_event_shows_its_time_on_hover_and_on_focus(web):
    user = UserFactory(time_zone=TIME_ZONE)
    busy_week(user)
    web.resize(DESKTOP)
    web.sign_in(user)
    web.goto(f"{SCHEDULE}?view=week&date={WEEK}")
    coffee = _block(web.page, "Coffee")
    expect(coffee).to_have_class(re.compile(r"\bis-short\b"))
    assert _tip_width(coffee) <= 1
    # Its name still carries the time for screen readers, hover or not.
    expect(coffee).to_have_accessible_name("Coffee 2:00 \N{EN DASH} 2:15 PM")

    coffee.hover()
    tip = coffee.locator(".event-time")
    assert _tip_width(coffee) > 40
    expect(tip).to_have_text("2:00 \N{EN DASH} 2:15 PM")
    # Drawn above everything else, not hidden under the next block. (It lets clicks through, so
    # for elementFromPoint to see it, it takes them for a moment.)
    assert tip.evaluate(
        "t => { t.style.pointerEvents = 'auto'; const r = t.getBoundingClientRect();"
        " const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);"
        " t.style.pointerEvents = ''; return t.contains(hit); }"
    )
    web.page.mouse.move(5, 5)
    assert _tip_width(coffee) <= 1

    coffee.focus()
    assert _tip_width(coffee) > 40
    coffee.blur()
    assert _tip_width(coffee) <= 1


def test_times_follow_the_browsers_locale(web, browser):
    user = UserFactory(time_zone=TIME_ZONE)
    busy_week(user)
    british = browser.new_context(viewport=DESKTOP, locale="en-GB", timezone_id=TIME_ZONE)
    try:
        page = british.new_page()
        web.context, web.page = british, page
        web.sign_in(user)
        web.goto(f"{SCHEDULE}?view=week&date={WEEK}")
        expect(_block(page, "Design review")).to_contain_text("10:00 \N{EN DASH} 12:00")
        expect(page.locator(".hour-label").first).to_have_text("08:00")
        web.goto(f"{SCHEDULE}?view=month&date={WEEK}")
        expect(page.locator(".month-event", has_text="Dentist")).to_contain_text("15:00")
    finally:
        british.close()


def _month_scene(user, other) -> dict[str, Event]:
    zone = user.tz
    busy_day = WEEK + timedelta(days=8)  # Tuesday, March 12
    events = {
        f"Meeting {n}": EventFactory(
            owner=user,
            title=f"Meeting {n}",
            start=at(zone, busy_day, f"{9 + n}:00"),
            end=at(zone, busy_day, f"{9 + n}:30"),
        )
        for n in range(5)
    }
    events["Dentist"] = EventFactory(
        owner=user, title="Dentist", start=at(zone, WEEK, "15:00"), end=at(zone, WEEK, "16:00")
    )
    events["Trip"] = EventFactory(
        owner=user,
        title="Trip to Lisbon",
        start=at(zone, WEEK + timedelta(days=17), "00:00"),
        end=at(zone, WEEK + timedelta(days=20), "00:00"),
        all_day=True,
    )
    EventFactory(owner=other, title="Someone else's secret", start=at(zone, WEEK, "11:00"),
                 end=at(zone, WEEK, "12:00"))  # fmt: skip
    return events


def _cell(page, day):
    return page.locator("td.month-day").filter(
        has=page.locator(f"a.month-date[href$='date={day.isoformat()}']")
    )


def test_month_view_shows_the_month_and_opens_a_busy_day(web):
    user = UserFactory(time_zone=TIME_ZONE)
    events = _month_scene(user, UserFactory())
    web.resize(DESKTOP)
    web.sign_in(user)
    web.goto(f"{SCHEDULE}?view=week&date={WEEK}")
    web.page.get_by_role("link", name="Month", exact=True).click()
    expect(web.page.get_by_role("heading", name="March 2030")).to_be_visible()
    expect(web.page.locator("table.month tbody tr")).to_have_count(5)  # Feb 25 to Mar 31
    expect(web.page.get_by_text("Someone else's secret")).to_have_count(0)
    expect(_cell(web.page, WEEK).locator(".month-event")).to_have_text(["3:00 PM Dentist"])
    for offset in (17, 18, 19):  # the three-day trip is in each of its days
        cell = _cell(web.page, WEEK + timedelta(days=offset))
        expect(cell.locator(".month-event")).to_have_text(["All day Trip to Lisbon"])
    expect(_cell(web.page, WEEK + timedelta(days=20)).locator(".month-event")).to_have_count(0)

    busy = _cell(web.page, WEEK + timedelta(days=8))
    expect(busy.locator(".month-event")).to_have_count(2)
    web.screenshot("month")
    busy.get_by_role("link", name="+3 more on Tuesday, March 12").click()
    expect(web.page.get_by_role("heading", name="Tuesday, March 12, 2030")).to_be_visible()
    web.screenshot("day")
    for n in range(5):
        expect(
            web.page.locator(f".calendar [data-event-id='{events[f'Meeting {n}'].pk}']")
        ).to_have_count(1)

    web.page.get_by_role("link", name="Month", exact=True).click()
    web.page.get_by_role("link", name="Next month").click()
    expect(web.page.get_by_role("heading", name="April 2030")).to_be_visible()


def test_jump_to_a_date(web):
    user = UserFactory(time_zone=TIME_ZONE)
    web.sign_in(user)
    web.goto(SCHEDULE)
    web.page.get_by_label("Go to date").fill("2031-07-16")
    web.page.get_by_role("button", name="Go", exact=True).click()
    expect(web.page.get_by_role("heading", name="July 14 \N{EN DASH} 20, 2031")).to_be_visible()
    web.page.get_by_role("link", name="Month", exact=True).click()
    web.page.get_by_label("Go to date").fill("2029-02-03")
    web.page.get_by_role("button", name="Go", exact=True).click()
    expect(web.page.get_by_role("heading", name="February 2029")).to_be_visible()


def test_search_finds_ones_own_events_and_links_into_the_week(web):
    user, other = UserFactory(time_zone=TIME_ZONE), UserFactory(time_zone=TIME_ZONE)
    busy_week(user)
    EventFactory(owner=other, title="Kastanienallee party", start=at(user.tz, WEEK, "20:00"),
                 end=at(user.tz, WEEK, "23:00"))  # fmt: skip
    web.resize(DESKTOP)
    web.sign_in(user)
    web.goto(SCHEDULE)
    web.page.get_by_role("searchbox", name="Search your events").fill("kastanienallee")
    web.page.get_by_role("button", name="Search", exact=True).click()
    results = web.page.locator(".result")
    # The dentist by its place, the workshop by its notes; never the other user's party.
    expect(results).to_have_count(2)
    expect(results.first).to_contain_text("Workshop")
    expect(results.first.locator(".result-notes")).to_contain_text("Kastanienallee floor plan")
    expect(results.last).to_contain_text("Wed, Mar 6, 2030 · 3:00 \N{EN DASH} 4:00 PM")
    expect(results.last).to_contain_text("Dentist")
    expect(web.page.get_by_text("party")).to_have_count(0)
    web.screenshot("search")

    results.last.get_by_role("link").click()
    expect(web.page.get_by_role("heading", name="March 4 \N{EN DASH} 10, 2030")).to_be_visible()
    dentist = web.page.locator(".calendar .event[aria-current='true']")
    expect(dentist).to_contain_text("Dentist")
    expect(dentist).to_be_in_viewport()


def test_a_new_user_sees_what_drako_does_and_where_to_start(web):
    user = UserFactory(time_zone=TIME_ZONE)
    web.resize(DESKTOP)
    web.sign_in(user)
    web.goto(SCHEDULE)
    first_run = web.page.locator(".first-run")
    expect(first_run.get_by_role("heading")).to_have_text("Your schedule is empty. Let's fill it.")
    expect(first_run.locator(".example-phrases li")).to_have_count(3)
    web.screenshot("first-run")

    first_run.get_by_role("link", name="Talk to DRAKO").click()
    panel = web.page.locator("#assistant-panel")
    expect(panel).to_contain_text("Talking to DRAKO isn't set up on this server yet.")
    expect(panel).to_be_in_viewport()
    panel.get_by_role("link", name="See an example conversation").click()
    expect(web.page.locator(".example-banner")).to_contain_text("This is a made-up conversation")
    expect(web.page.locator(".transcript .turn")).to_have_count(10)
    web.screenshot("example-conversation", full_page=True)
    # The example is only a page: nothing was written for this user.
    assert not Event.objects.filter(owner=user).exists()
    assert not Conversation.objects.filter(user=user).exists()

    web.page.go_back()
    first_run.get_by_role("link", name="Create your first event").click()
    web.page.get_by_label("Title", exact=True).fill("Yoga")
    web.page.get_by_label("All day").check()
    expect(web.page.get_by_label("Show me as")).to_have_value("free")
    web.page.get_by_role("button", name="Add to schedule").click()
    expect(web.page.locator(".messages")).to_contain_text("Added 'Yoga'")
    expect(web.page.locator(".first-run")).to_have_count(0)
    assert Event.objects.get(owner=user).show_as == Event.ShowAs.FREE


def test_on_a_phone_the_week_is_an_agenda_with_a_day_strip(web):
    user = UserFactory(time_zone=TIME_ZONE)
    busy_week(user)
    web.resize(PHONE)
    web.sign_in(user)
    web.goto(f"{SCHEDULE}?view=week&date={WEEK}")
    expect(web.page.locator(".calendar")).to_be_hidden()
    strip = web.page.get_by_role("navigation", name="Days of this week").get_by_role("link")
    expect(strip).to_have_count(7)
    agenda = web.page.locator(".agenda-day:visible")
    expect(agenda).to_have_count(1)
    expect(agenda.get_by_role("heading")).to_have_text("Monday, March 4")
    expect(agenda.locator(".agenda-title")).to_have_count(7)
    web.screenshot("phone-week", full_page=True)

    strip.nth(3).click()  # Thursday
    web.page.wait_for_url(f"**date={WEEK + timedelta(days=3)}")
    expect(strip.nth(3)).to_have_attribute("aria-current", "page")
    expect(agenda.get_by_role("heading")).to_have_text("Thursday, March 7")
    expect(agenda.locator(".agenda-title")).to_have_text(
        ["Quarterly planning", "1:1 with Priya", "Onboarding checklist"]
    )
    strip.nth(5).click()  # an empty Saturday says so, and offers to add
    web.page.wait_for_url(f"**date={WEEK + timedelta(days=5)}")
    expect(agenda).to_contain_text("Nothing scheduled.")
    agenda.get_by_role("link", name="Add an event").click()
    expect(web.page.get_by_label("Starts", exact=True)).to_have_value(
        (WEEK + timedelta(days=5)).isoformat()
    )

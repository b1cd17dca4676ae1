"""The search page: one's own events whose title, location or notes match, linking into the week."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from schedules import selectors
from schedules.clock import clock_for_request
from schedules.grid import schedule_url

SEARCH_MAX = 100
SEARCH_LIMIT = 50
EXCERPT = 80  # characters of notes shown around a match


def _search_problem(query: str) -> str | None:
    if len(query) > SEARCH_MAX:
        return f"Search for at most {SEARCH_MAX} characters."
    if any(not (ch.isprintable() or ch.isspace()) for ch in query):
        return "Search for plain text: letters, digits and punctuation."
    return None


def _excerpt(notes: str, query: str) -> str:
    """A few words of the notes around the match, when the match is only there."""
    at = notes.casefold().find(query.casefold())
    if at < 0:
        return ""
    start, end = max(at - EXCERPT // 2, 0), at + len(query) + EXCERPT // 2
    return f"{'…' if start else ''}{notes[start:end].strip()}{'…' if end < len(notes) else ''}"


def _result(event, query: str, tz, clock) -> dict:
    day = event.start.astimezone(tz).date()
    in_title = query.casefold() in f"{event.title} {event.location}".casefold()
    return {
        "event": event,
        "day": day,
        "time": "All day" if event.all_day else clock.range(event.start, event.end, tz),
        "url": f"{schedule_url('week', day)}&event={event.pk}",
        "excerpt": "" if in_title else _excerpt(event.notes, query),
    }


def _search_results(request, query: str) -> list[dict]:
    """Upcoming matches first (soonest first), then past ones (latest first)."""
    tz, clock, now = request.user.tz, clock_for_request(request), timezone.now()
    found = selectors.event_search_for_user(user=request.user, query=query)
    upcoming = found.filter(end__gt=now).order_by("start", "id")[:SEARCH_LIMIT]
    past = found.filter(end__lte=now).order_by("-start", "-id")[:SEARCH_LIMIT]
    return [
        {"label": label, "events": [_result(event, query, tz, clock) for event in events]}
        for label, events in (("Upcoming", upcoming), ("Past", past))
    ]


@login_required
@require_GET
def event_search_view(request):
    query = request.GET.get("q", "").strip()
    problem = _search_problem(query)
    context = {"query": query[:SEARCH_MAX], "problem": problem, "limit": SEARCH_LIMIT}
    if query and problem is None:
        context["sections"] = _search_results(request, query)
    status = 400 if problem else 200
    return render(request, "schedules/search.html", context, status=status)

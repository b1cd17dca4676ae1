"""Schedule pages: the week and day grids, the event form, cancel, undo, and the calendar feed."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timesince import timesince
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from schedules import feed, selectors, services
from schedules.errors import EventConflictError, EventInvalidError, UndoError
from schedules.forms import EventForm, clock
from schedules.models import Event, EventChange
from schedules.timeparse import describe

ROW_MINUTES = 5
MIN_ROWS = 3  # a 5-minute event is still drawn 15 minutes tall, so its title fits
MAX_LANES = 6  # matches the .lane-*-of-* classes generated in schedule.css
ONE_DAY = timedelta(days=1)
DASH = "\N{EN DASH}"
FIRST_DAY, LAST_DAY = date(1900, 1, 8), date(2999, 12, 24)
FORM_FIELDS_FROM_TIME = ("date", "start_time", "end_date", "end_time")


# --- The grid ------------------------------------------------------------------------------


@dataclass
class Block:
    """One timed event's piece within one day column, placed on 5-minute grid rows."""

    event: Event
    start: int  # minutes after local midnight, by the wall clock
    end: int
    label: str
    row: int = 1
    span: int = MIN_ROWS
    lane: int = 0
    lanes: int = 1
    past: bool = False

    @property
    def css(self) -> str:
        return f"r-{self.row} span-{self.span} lane-{self.lane}-of-{self.lanes}"

    @property
    def short(self) -> bool:
        return self.span <= 6


@dataclass
class DayColumn:
    day: date
    is_today: bool
    all_day: list[Event] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    now_row: int | None = None


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    # Through UTC and back, so a zone whose DST starts at midnight gets its real first instant.
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC).astimezone(tz)


def _wall_minutes(moment: datetime, day: date, tz: ZoneInfo) -> int:
    local = moment.astimezone(tz)
    if local.date() != day:
        return 0 if local.date() < day else 24 * 60
    return local.hour * 60 + local.minute


def time_range(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """'9:00 - 10:30 AM' (with an en dash), or with the weekday when it ends on another day."""
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    if local_start.date() != local_end.date():
        return f"{clock(local_start)} {DASH} {local_end:%a} {clock(local_end)}"
    first = clock(local_start)
    if (local_start.hour < 12) == (local_end.hour < 12):
        first = first[:-3]
    return f"{first} {DASH} {clock(local_end)}"


def _column(day: date, events: list[Event], tz: ZoneInfo, now: datetime) -> DayColumn:
    lower, upper = _midnight(day, tz), _midnight(day + ONE_DAY, tz)
    column = DayColumn(day=day, is_today=day == now.astimezone(tz).date())
    for event in events:
        if event.start >= upper or event.end <= lower:
            continue
        if event.all_day:
            column.all_day.append(event)
            continue
        start = _wall_minutes(max(event.start, lower), day, tz)
        # On a fall-back night the end's wall time can precede the start's; MIN_ROWS covers it.
        end = _wall_minutes(min(event.end, upper), day, tz) if event.end < upper else 24 * 60
        label = time_range(event.start, event.end, tz)
        past = event.end <= now
        column.blocks.append(Block(event=event, start=start, end=end, label=label, past=past))
    return column


def _visible_minutes(user, columns: list[DayColumn]) -> tuple[int, int]:
    """The working day, stretched to whole hours that cover every event on screen."""
    first = user.working_day_start.hour * 60
    day_end = user.working_day_end
    last = (day_end.hour + (1 if day_end.minute else 0)) * 60
    for block in (b for column in columns for b in column.blocks):
        first = min(first, block.start // 60 * 60)
        last = max(last, -(-max(block.end, block.start + MIN_ROWS * ROW_MINUTES) // 60) * 60)
    return first, min(last, 24 * 60)


def _assign_lanes(blocks: list[Block]) -> None:
    """Side by side where events overlap: greedy lanes within each group of overlapping blocks."""
    blocks.sort(key=lambda b: (b.row, -b.span, b.event.pk))
    group: list[Block] = []
    lane_ends: list[int] = []
    group_end = 0
    for block in [*blocks, None]:
        if block is None or (group and block.row >= group_end):
            for member in group:
                member.lanes = min(len(lane_ends), MAX_LANES)
            group, lane_ends = [], []
        if block is None:
            break
        free = next((i for i, end in enumerate(lane_ends) if end <= block.row), None)
        if free is None:
            free = len(lane_ends)
            lane_ends.append(0)
        lane_ends[free] = block.row + block.span
        block.lane = min(free, MAX_LANES - 1)
        group.append(block)
        group_end = max(group_end, block.row + block.span)


def _place(column: DayColumn, first: int, last: int, now_minutes: int | None) -> None:
    rows = (last - first) // ROW_MINUTES
    for block in column.blocks:
        block.row = (block.start - first) // ROW_MINUTES + 1
        end_row = -(-(block.end - first) // ROW_MINUTES) + 1
        block.span = min(max(end_row - block.row, MIN_ROWS), rows - block.row + 1)
    _assign_lanes(column.blocks)
    column.blocks.sort(key=lambda b: (b.start, b.event.start, b.event.pk))
    if column.is_today and now_minutes is not None and first <= now_minutes < last:
        column.now_row = (now_minutes - first) // ROW_MINUTES + 1


def _range_title(days: list[date]) -> str:
    a, b = days[0], days[-1]
    if a == b:
        return f"{a:%A}, {a:%B} {a.day}, {a.year}"
    if a.year != b.year:
        return f"{a:%b} {a.day}, {a.year} {DASH} {b:%b} {b.day}, {b.year}"
    if a.month != b.month:
        return f"{a:%B} {a.day} {DASH} {b:%B} {b.day}, {b.year}"
    return f"{a:%B} {a.day} {DASH} {b.day}, {a.year}"


def _schedule_url(view: str, day: date | None = None) -> str | None:
    if day is not None and not FIRST_DAY <= day <= LAST_DAY:
        return None
    query = {"view": view} | ({"date": day.isoformat()} if day else {})
    return f"{reverse('schedules:schedule')}?{urlencode(query)}"


def schedule_panel_context(*, user, view: str, anchor: date, now: datetime) -> dict:
    """Everything the schedule panel partial needs; one query for the events of the window."""
    tz = user.tz
    local_now = now.astimezone(tz)
    today = local_now.date()
    days = (
        [anchor]
        if view == "day"
        else [anchor - timedelta(days=anchor.weekday() - i) for i in range(7)]
    )
    events = list(
        selectors.event_list_for_user(
            user=user, start=_midnight(days[0], tz), end=_midnight(days[-1] + ONE_DAY, tz)
        )
    )
    columns = [_column(day, events, tz, now) for day in days]
    first, last = _visible_minutes(user, columns)
    for column in columns:
        _place(column, first, last, local_now.hour * 60 + local_now.minute)
    step = timedelta(days=1 if view == "day" else 7)
    return {
        "view": view,
        "anchor": anchor,
        "columns": columns,
        "has_all_day": any(column.all_day for column in columns),
        "hours": [
            {
                "row": (h * 60 - first) // ROW_MINUTES + 1,
                "label": clock(time(h)).replace(":00", ""),
                "value": f"{h:02d}:00",
            }
            for h in range(first // 60, last // 60)
        ],
        "title": _range_title(days),
        "prev_url": _schedule_url(view, days[0] - step),
        "next_url": _schedule_url(view, days[0] + step),
        "today_url": _schedule_url(view),
        "day_url": _schedule_url("day", today if today in days else days[0]),
        "week_url": _schedule_url("week", anchor),
        "shows_today": today in days,
        "event_count": len(events),
    }


# --- Helpers for the write views -----------------------------------------------------------


def _change_context(request) -> services.ChangeContext:
    return services.ChangeContext(source=Event.Source.WEB, actor=request.user)


def _describe(moment: datetime, tz: ZoneInfo) -> str:
    return describe(moment, tz=tz, now=timezone.now())


def _when(event: Event, tz: ZoneInfo) -> str:
    if event.all_day:
        local = event.start.astimezone(tz)
        return f"{local:%A}, {local:%B} {local.day} (all day)"
    return _describe(event.start, tz)


def _week_of(event: Event, tz: ZoneInfo) -> str:
    return _schedule_url("week", event.start.astimezone(tz).date())


def _can_undo(change: EventChange, current_state: dict | None) -> bool:
    if change.action == EventChange.Action.UNDO or hasattr(change, "reverted_by"):
        return False
    if change.action == EventChange.Action.DELETE:
        return True
    return current_state is not None and current_state == change.after


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else fallback


def _slot_label(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    local = start.astimezone(tz)
    return f"{local:%a %b} {local.day}, {time_range(start, end, tz)}"


def _conflict_context(error: EventConflictError, tz: ZoneInfo) -> dict:
    return {
        "message": error.message,
        "conflicts": [
            (c, "All day" if c.all_day else time_range(c.start, c.end, tz))
            for c in error.conflicts[:5]
        ],
        "alternatives": [
            (f"{start.isoformat()}|{end.isoformat()}", _slot_label(start, end, tz))
            for start, end in error.alternatives[:3]
        ],
    }


def _form_from_alternative(request, tz: ZoneInfo) -> tuple[EventForm, str] | None:
    """The form as posted, with the times of the suggestion the person picked."""
    try:
        start, end = (datetime.fromisoformat(part) for part in request.POST["use_time"].split("|"))
    except ValueError:
        return None
    if timezone.is_naive(start) or timezone.is_naive(end) or end <= start:
        return None
    if not (FIRST_DAY <= start.date() <= LAST_DAY and FIRST_DAY <= end.date() <= LAST_DAY):
        return None
    names = [name for name in EventForm.base_fields if name != "allow_conflict"]
    initial = {name: request.POST.get(name) for name in names}
    initial.update(EventForm.initial_for_times(start, end, tz), all_day=False)
    return EventForm(initial=initial, tz=tz), _describe(start, tz)


def _save_errors(form: EventForm, error: EventInvalidError) -> None:
    field_name = {"start": "start_time", "end": "end_time"}.get(error.field, error.field)
    form.add_error(field_name if field_name in form.fields else None, error.message)


def _render_form(request, form: EventForm, *, event=None, conflict=None, picked=None, changes=()):
    context = {
        "form": form,
        "event": event,
        "conflict": conflict,
        "picked": picked,
        "changes": changes,
        "time_zone": request.user.time_zone,
    }
    return render(request, "schedules/event_form.html", context)


def _change_detail(change: EventChange, tz: ZoneInfo) -> str:
    before, after = change.before or {}, change.after or {}
    if change.action == EventChange.Action.MOVE:
        start, end = (datetime.fromisoformat(after[key]) for key in ("start", "end"))
        local = start.astimezone(tz)
        return f"to {local:%a, %b} {local.day}, {time_range(start, end, tz)}"
    if change.action == EventChange.Action.UPDATE:
        changed = [
            key.replace("_", " ") for key in after if key != "id" and before.get(key) != after[key]
        ]
        return f"changed {', '.join(changed)}" if changed else ""
    return ""


def _event_changes(*, user, event: Event) -> list[dict]:
    """The event's last ten changes, newest first, each with whether it can still be undone."""
    current, tz = services.event_state(event), user.tz
    changes = (
        EventChange.objects.filter(owner=user, event=event)
        .select_related("reverted_by", "actor")
        .order_by("-created_at", "-id")[:10]
    )
    return [
        {"change": c, "undoable": _can_undo(c, current), "detail": _change_detail(c, tz)}
        for c in changes
    ]


def _last_change(*, user, now: datetime) -> dict | None:
    """The user's latest change, offered for undo on the schedule while it still can be."""
    change = (
        EventChange.objects.filter(owner=user)
        .select_related("event", "reverted_by")
        .order_by("-created_at", "-id")
        .first()
    )
    state = services.event_state(change.event) if change and change.event else None
    if change is None or not _can_undo(change, state):
        return None
    age = now - change.created_at
    ago = "just now" if age < timedelta(minutes=1) else f"{timesince(change.created_at, now)} ago"
    return {"change": change, "ago": ago}


# --- Views ---------------------------------------------------------------------------------


def _requested_day(raw: str | None, today: date) -> date:
    try:
        day = date.fromisoformat(raw or "")
    except ValueError:
        return today
    return day if FIRST_DAY <= day <= LAST_DAY else today


@login_required
@require_GET
def schedule_view(request):
    view = request.GET.get("view")
    view = view if view in ("day", "week") else "week"
    now = timezone.now()
    anchor = _requested_day(request.GET.get("date"), now.astimezone(request.user.tz).date())
    context = schedule_panel_context(user=request.user, view=view, anchor=anchor, now=now)
    context["last_change"] = _last_change(user=request.user, now=now)
    return render(request, "schedules/schedule.html", context)


def _prefill(request, tz: ZoneInfo) -> dict:
    try:
        start = datetime.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        now = timezone.now().astimezone(tz)
        start = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    start = start.replace(tzinfo=tz) if timezone.is_naive(start) else start
    if not FIRST_DAY <= start.date() <= LAST_DAY:
        start = timezone.now()
    return {**EventForm.initial_for_times(start, start + timedelta(hours=1), tz), "show_as": "busy"}


@login_required
@require_http_methods(["GET", "POST"])
def event_create_view(request):
    tz = request.user.tz
    if request.method == "GET":
        return _render_form(request, EventForm(initial=_prefill(request, tz), tz=tz))
    if "use_time" in request.POST:
        picked = _form_from_alternative(request, tz)
        if picked is None:
            return HttpResponseBadRequest("That suggested time isn't valid.")
        return _render_form(request, picked[0], picked=picked[1])
    form = EventForm(request.POST, tz=tz)
    if not form.is_valid():
        return _render_form(request, form)
    try:
        event, _change = services.event_create(
            owner=request.user,
            **form.event_fields(),
            allow_conflict=form.cleaned_data["allow_conflict"],
            context=_change_context(request),
        )
    except EventConflictError as error:
        return _render_form(request, form, conflict=_conflict_context(error, tz))
    except EventInvalidError as error:
        _save_errors(form, error)
        return _render_form(request, form)
    for note in form.notes:
        messages.info(request, note)
    messages.success(request, f"Added '{event.title}' on {_when(event, tz)}.")
    return redirect(_week_of(event, tz))


@login_required
@require_http_methods(["GET", "POST"])
def event_edit_view(request, event_id: int):
    tz = request.user.tz
    event = selectors.event_get_for_user(user=request.user, event_id=event_id)
    changes = _event_changes(user=request.user, event=event)
    if request.method == "GET":
        form = EventForm(initial=EventForm.initial_for_event(event, tz), tz=tz)
        return _render_form(request, form, event=event, changes=changes)
    if event.status == Event.Status.CANCELLED:
        messages.error(request, f"'{event.title}' is cancelled. Undo the cancellation first.")
        return redirect("schedules:event-edit", event_id=event.pk)
    if "use_time" in request.POST:
        picked = _form_from_alternative(request, tz)
        if picked is None:
            return HttpResponseBadRequest("That suggested time isn't valid.")
        return _render_form(request, picked[0], event=event, picked=picked[1], changes=changes)
    form = EventForm(request.POST, tz=tz)
    if not form.is_valid():
        return _render_form(request, form, event=event, changes=changes)
    try:
        event, change = services.event_update(
            event=event,
            changes=form.event_fields(),
            allow_conflict=form.cleaned_data["allow_conflict"],
            context=_change_context(request),
        )
    except EventConflictError as error:
        conflict = _conflict_context(error, tz)
        return _render_form(request, form, event=event, conflict=conflict, changes=changes)
    except EventInvalidError as error:
        _save_errors(form, error)
        return _render_form(request, form, event=event, changes=changes)
    for note in form.notes:
        messages.info(request, note)
    if change is None:
        messages.info(request, f"Nothing changed in '{event.title}'.")
    elif change.action == EventChange.Action.MOVE:
        messages.success(request, f"Moved '{event.title}' to {_when(event, tz)}.")
    else:
        messages.success(request, f"Saved '{event.title}' ({_when(event, tz)}).")
    return redirect(_week_of(event, tz))


@login_required
@require_POST
def event_cancel_view(request, event_id: int):
    tz = request.user.tz
    event = selectors.event_get_for_user(user=request.user, event_id=event_id)
    event, change = services.event_cancel(event=event, context=_change_context(request))
    if change is None:
        messages.info(request, f"'{event.title}' was already cancelled.")
    else:
        messages.success(request, f"Cancelled '{event.title}' on {_when(event, tz)}.")
    return redirect(_safe_next(request, _week_of(event, tz)))


@login_required
@require_POST
def change_undo_view(request, change_id: int):
    change = selectors.event_change_get_for_user(user=request.user, change_id=change_id)
    schedule_url = reverse("schedules:schedule")
    try:
        undo = services.event_change_undo(change=change, context=_change_context(request))
    except UndoError as error:
        messages.error(request, f"Couldn't undo: {error.message}")
    except EventConflictError as error:
        messages.error(request, f"Couldn't undo: {error.message} Move or cancel that first.")
    else:
        messages.success(
            request, f"Undone: {change.get_action_display().lower()} '{change.title}'."
        )
        if undo.after is None:  # the event is gone, so a page about it would be a 404
            return redirect(schedule_url)
    return redirect(_safe_next(request, schedule_url))


@require_safe
def calendar_feed_view(request, token: str):
    owner = feed.calendar_owner_for_token(token)
    if owner is None:
        raise Http404("No such calendar.")
    response = HttpResponse(
        feed.calendar_feed_build(user=owner, now=timezone.now()),
        content_type="text/calendar; charset=utf-8",
    )
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Disposition"] = 'inline; filename="drako.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response

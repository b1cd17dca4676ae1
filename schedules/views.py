"""Schedule pages: the week and day grids, the event form, cancel, undo, and the calendar feed."""

from datetime import date, datetime, timedelta
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
from schedules.forms import EventForm
from schedules.grid import schedule_panel_context, schedule_url
from schedules.models import FIRST_DAY, LAST_DAY, Event, EventChange
from schedules.speech import describe, time_range

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
    return schedule_url("week", event.start.astimezone(tz).date())


def _can_undo(change: EventChange, current_state: dict | None) -> bool:
    refusal = services.event_change_undo_refusal(
        change, current_state=current_state, undone=hasattr(change, "reverted_by")
    )
    return refusal is None


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

"""Schedule pages: the week, day and month views, the event form, delete, undo, and the calendar
feed. Search is in schedules/search.py."""

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

from schedules import feed, recurrence, selectors, series, services
from schedules.clock import Clock, clock_for_request
from schedules.errors import EventConflictError, EventInvalidError, UndoError
from schedules.forms import EventForm, reminders_text
from schedules.grid import schedule_panel_context, schedule_url
from schedules.models import FIRST_DAY, LAST_DAY, Event, EventChange
from schedules.month import month_context

VIEWS = ("day", "week", "month")
SCOPE_CHOICES = [
    (series.THIS, "This event"),
    (series.FOLLOWING, "This and following events"),
    (series.ALL, "All events"),
]

# --- Helpers for the write views -----------------------------------------------------------


def _change_context(request) -> services.ChangeContext:
    return services.ChangeContext(source=Event.Source.WEB, actor=request.user)


def _describe(request, moment: datetime) -> str:
    return clock_for_request(request).when(moment, request.user.tz, now=timezone.now())


def _when(request, event: Event) -> str:
    if event.all_day:
        local = event.start.astimezone(request.user.tz)
        return f"{local:%A}, {local:%B} {local.day} (all day)"
    return _describe(request, event.start)


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


def _slot_label(start: datetime, end: datetime, tz: ZoneInfo, clock: Clock) -> str:
    local = start.astimezone(tz)
    return f"{local:%a %b} {local.day}, {clock.range(start, end, tz)}"


def _conflict_context(request, error: EventConflictError) -> dict:
    tz, clock = request.user.tz, clock_for_request(request)
    return {
        "message": error.message,
        "conflicts": [
            (c, "All day" if c.all_day else clock.range(c.start, c.end, tz))
            for c in error.conflicts[:5]
        ],
        "alternatives": [
            (f"{start.isoformat()}|{end.isoformat()}", _slot_label(start, end, tz, clock))
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
    return EventForm(initial=initial, tz=tz), _describe(request, start)


def _save_errors(form: EventForm, error: EventInvalidError) -> None:
    field_name = {"start": "start_time", "end": "end_time"}.get(error.field, error.field)
    form.add_error(field_name if field_name in form.fields else None, error.message)


def _render_form(
    request, form: EventForm, *, event=None, conflict=None, picked=None, changes=(), repeats=""
):
    context = {
        "form": form,
        "event": event,
        "conflict": conflict,
        "picked": picked,
        "changes": changes,
        "repeats": repeats,
        "scopes": SCOPE_CHOICES,
        "scope": request.POST.get("scope", series.THIS),
        "time_zone": request.user.time_zone,
    }
    return render(request, "schedules/event_form.html", context)


def _change_detail(change: EventChange, tz: ZoneInfo, clock: Clock) -> str:
    before, after = change.before or {}, change.after or {}
    if change.action == EventChange.Action.MOVE:
        start, end = (datetime.fromisoformat(after[key]) for key in ("start", "end"))
        local = start.astimezone(tz)
        return f"to {local:%a, %b} {local.day}, {clock.range(start, end, tz)}"
    if change.action == EventChange.Action.UPDATE:
        changed = [
            key.replace("_", " ") for key in after if key != "id" and before.get(key) != after[key]
        ]
        return f"changed {', '.join(changed)}" if changed else ""
    return ""


def _event_changes(*, user, event: Event, clock: Clock) -> list[dict]:
    """The event's last ten changes, newest first, each with whether it can still be undone."""
    current, tz = services.event_state(event), user.tz
    changes = (
        EventChange.objects.filter(owner=user, event=event)
        .select_related("reverted_by", "actor")
        .order_by("-created_at", "-id")[:10]
    )
    return [
        {"change": c, "undoable": _can_undo(c, current), "detail": _change_detail(c, tz, clock)}
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


def _highlight(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) < 19 else None


@login_required
@require_GET
def schedule_view(request):
    user, now = request.user, timezone.now()
    view = request.GET.get("view")
    view = view if view in VIEWS else "week"
    anchor = _requested_day(request.GET.get("date"), now.astimezone(user.tz).date())
    clock = clock_for_request(request)
    highlight = _highlight(request.GET.get("event"))
    if view == "month":
        context = month_context(user=user, anchor=anchor, now=now, clock=clock)
    else:
        context = schedule_panel_context(
            user=user, view=view, anchor=anchor, now=now, clock=clock, highlight=highlight
        )
    context.update(
        last_change=_last_change(user=user, now=now),
        first_run=not selectors.event_exists_for_user(user=user),
        highlight=highlight,
    )
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
    return {
        **EventForm.initial_for_times(start, start + timedelta(hours=1), tz),
        "show_as": "busy",
        "reminders": reminders_text(services.reminders_default(request.user)),
    }


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
        return _render_form(request, form, conflict=_conflict_context(request, error))
    except EventInvalidError as error:
        _save_errors(form, error)
        return _render_form(request, form)
    for note in form.notes:
        messages.info(request, note)
    repeats = _series_words(request, event)
    repeats = f", repeating {repeats}" if repeats else ""
    messages.success(request, f"Added '{event.title}' on {_when(request, event)}{repeats}.")
    return redirect(_week_of(event, tz))


def _occurrence_param(request) -> datetime | None:
    raw = request.POST.get("occurrence") or request.GET.get("occurrence") or ""
    try:
        moment = datetime.fromisoformat(raw.strip().replace(" ", "+"))
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else None


def _event_for_page(request, event_id: int) -> Event:
    """The event to edit: one occurrence of a series (?occurrence=, or its first), or an event."""
    event = selectors.event_get_for_user(user=request.user, event_id=event_id)
    if not event.recurrence:
        return event
    return selectors.occurrence_get_for_user(
        user=request.user,
        event_id=event_id,
        recurrence_id=_occurrence_param(request) or event.start,
    )


def _scope(request) -> str:
    scope = request.POST.get("scope", series.THIS)
    return scope if scope in series.SCOPES else series.THIS


def _series_words(request, event: Event) -> str:
    owner = event.series or event
    if not owner.recurrence:
        return ""
    return recurrence.rule_words(owner.recurrence, owner.start, ZoneInfo(owner.time_zone))


@login_required
@require_http_methods(["GET", "POST"])
def event_edit_view(request, event_id: int):
    tz = request.user.tz
    event = _event_for_page(request, event_id)
    page_event = event.series or event
    changes = _event_changes(user=request.user, event=page_event, clock=clock_for_request(request))
    extra = {"event": event, "changes": changes, "repeats": _series_words(request, event)}
    if request.method == "GET":
        form = EventForm(initial=EventForm.initial_for_event(event, tz), tz=tz)
        return _render_form(request, form, **extra)
    if event.status == Event.Status.CANCELLED:
        messages.error(request, f"'{event.title}' is deleted. Undo the deletion first.")
        return redirect(_week_of(event, tz))
    if "use_time" in request.POST:
        picked = _form_from_alternative(request, tz)
        if picked is None:
            return HttpResponseBadRequest("That suggested time isn't valid.")
        return _render_form(request, picked[0], picked=picked[1], **extra)
    form = EventForm(request.POST, tz=tz)
    if not form.is_valid():
        return _render_form(request, form, **extra)
    fields, allow = form.event_fields(), form.cleaned_data["allow_conflict"]
    try:
        if event.series is not None:
            event, change = series.occurrence_update(
                occurrence=event, changes=fields, scope=_scope(request), allow_conflict=allow,
                context=_change_context(request),
            )  # fmt: skip
        else:
            event, change = services.event_update(
                event=event, changes=fields, allow_conflict=allow, context=_change_context(request)
            )
    except EventConflictError as error:
        return _render_form(request, form, conflict=_conflict_context(request, error), **extra)
    except EventInvalidError as error:
        _save_errors(form, error)
        return _render_form(request, form, **extra)
    for note in form.notes:
        messages.info(request, note)
    if change is None:
        messages.info(request, f"Nothing changed in '{event.title}'.")
    elif change.action == EventChange.Action.MOVE:
        messages.success(request, f"Moved '{event.title}' to {_when(request, event)}.")
    else:
        messages.success(request, f"Saved '{event.title}' ({_when(request, event)}).")
    return redirect(_week_of(event, tz))


@login_required
@require_POST
def event_cancel_view(request, event_id: int):
    tz = request.user.tz
    event = _event_for_page(request, event_id)
    if event.series is not None:
        scope = _scope(request)
        _cancelled, change = series.occurrence_cancel(
            occurrence=event, scope=scope, context=_change_context(request)
        )
        what = {series.THIS: "", series.FOLLOWING: " and the ones after it",
                series.ALL: " and every other time it repeats"}[scope]  # fmt: skip
        if change is None:
            messages.info(request, f"'{event.title}' was already deleted.")
        else:
            messages.success(request, f"Deleted '{event.title}' on {_when(request, event)}{what}.")
        return redirect(_safe_next(request, _week_of(event, tz)))
    event, change = services.event_cancel(event=event, context=_change_context(request))
    if change is None:
        messages.info(request, f"'{event.title}' was already deleted.")
    else:
        messages.success(request, f"Deleted '{event.title}' on {_when(request, event)}.")
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

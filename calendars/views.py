"""The calendars page: connected calendars, subscribing, CalDAV, importing a file."""

import base64

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from calendars import imports, selectors, services
from calendars.errors import CalendarError
from calendars.forms import CalDAVForm, CalDAVPasswordForm, ImportForm, SubscribeForm
from schedules.models import Event
from schedules.services import ChangeContext

IMPORT_KEY = "calendars_import"


def _page(request, **forms):
    context = {
        "calendars": selectors.calendar_list_for_user(user=request.user),
        "subscribe_form": forms.get("subscribe_form") or SubscribeForm(),
        "caldav_form": forms.get("caldav_form") or CalDAVForm(),
        "import_form": forms.get("import_form") or ImportForm(),
        "caldav_available": bool(settings.CALENDAR_SECRET_KEY),
        "tz": request.user.tz,
    }
    return render(request, "calendars/calendars.html", context)


@login_required
@require_GET
def calendar_list_view(request):
    return _page(request)


@login_required
@require_POST
def calendar_subscribe_view(request):
    form = SubscribeForm(request.POST)
    if form.is_valid():
        try:
            calendar = services.calendar_subscribe(owner=request.user, **form.cleaned_data)
        except CalendarError as error:
            form.add_error("url", error.message)
        else:
            messages.success(request, f"Subscribed to {calendar.name}. Its events appear shortly.")
            return redirect("calendars:calendars")
    return _page(request, subscribe_form=form)


@login_required
@require_POST
def calendar_caldav_view(request):
    form = CalDAVForm(request.POST)
    if form.is_valid():
        try:
            calendar = services.caldav_connect(owner=request.user, **form.cleaned_data)
        except CalendarError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Connected {calendar.name}: it syncs both ways.")
            return redirect("calendars:calendars")
    return _page(request, caldav_form=form)


@login_required
@require_POST
def calendar_sync_view(request, calendar_id: int):
    calendar = selectors.calendar_get_for_user(user=request.user, calendar_id=calendar_id)
    calendar = services.calendar_sync(calendar=calendar)
    if calendar.last_error:
        messages.error(request, f"{calendar.name}: {calendar.last_error}")
    else:
        messages.success(request, f"{calendar.name} is up to date.")
    return redirect("calendars:calendars")


@login_required
@require_POST
def calendar_password_view(request, calendar_id: int):
    """A connected CalDAV calendar's new app password, kept once the server takes it."""
    calendar = selectors.calendar_get_for_user(user=request.user, calendar_id=calendar_id)
    form = CalDAVPasswordForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{calendar.name}: give the new app password.")
        return redirect("calendars:calendars")
    try:
        services.caldav_password_change(calendar=calendar, **form.cleaned_data)
    except CalendarError as error:
        messages.error(request, f"{calendar.name}: {error.message} The old password is kept.")
    else:
        messages.success(request, f"{calendar.name} has its new app password; it syncs shortly.")
    return redirect("calendars:calendars")


@login_required
@require_POST
def calendar_disconnect_view(request, calendar_id: int):
    calendar = selectors.calendar_get_for_user(user=request.user, calendar_id=calendar_id)
    services.calendar_disconnect(calendar=calendar)
    messages.success(request, f"Disconnected {calendar.name}.")
    return redirect("calendars:calendars")


@login_required
@require_POST
def event_import_preview_view(request):
    """Reads the file and shows what would be imported; the file waits in the session."""
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, import_form=form)
    data = form.cleaned_data["file"].read(imports.MAX_IMPORT_BYTES + 1)
    try:
        items = imports.ics_read(owner=request.user, data=data)
    except CalendarError as error:
        form.add_error("file", error.message)
        return _page(request, import_form=form)
    request.session[IMPORT_KEY] = base64.b64encode(data).decode()
    context = {
        "items": items,
        "new": sum(not i.duplicate for i in items),
        "duplicates": sum(i.duplicate for i in items),
        "tz": request.user.tz,
    }
    return render(request, "calendars/import_preview.html", context)


@login_required
@require_POST
def event_import_view(request):
    """Imports the file previewed last (once: the session forgets it)."""
    encoded = request.session.pop(IMPORT_KEY, None)
    if encoded is None:
        messages.error(request, "Nothing to import: choose the file again.")
        return redirect("calendars:calendars")
    context = ChangeContext(source=Event.Source.WEB, actor=request.user)
    try:
        created, skipped = imports.ics_import(
            owner=request.user, data=base64.b64decode(encoded), context=context
        )
    except CalendarError as error:
        messages.error(request, error.message)
        return redirect("calendars:calendars")
    messages.success(request, f"Imported {created} events; skipped {skipped}.")
    return redirect("schedules:schedule")

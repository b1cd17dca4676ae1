"""Leaving DRAKO, and taking one's data along: pages that span every app's data, so the app at
the top of the house composes them (accounts sits below the apps whose data they gather)."""

import io
import json
import zipfile

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from accounts.forms import AccountDeleteForm
from conversations import privacy
from schedules import feed
from schedules.models import Event


def _erasure_words(erasure: privacy.Erasure) -> str:
    missing = len(erasure.not_erased)
    total = erasure.erased + missing
    return (
        f"Tavus could not erase {missing} of your {total} conversations just now ({erasure.reason})"
    )


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def account_delete_view(request):
    """Deletes the account and everything in it, once Tavus has erased its conversations (or
    the person chose to go ahead without that)."""
    form = AccountDeleteForm(request.POST or None, request=request)
    context = {"form": form, "tavus_failed": None}
    if request.method == "POST" and form.is_valid():
        erasure = privacy.conversations_erase_at_tavus(user=request.user)
        if erasure.complete or request.POST.get("anyway") == "yes":
            return _delete(request, erasure)
        context["tavus_failed"] = _erasure_words(erasure)
        return render(request, "accounts/delete.html", context, status=502)
    return render(request, "accounts/delete.html", context)


def _delete(request, erasure: privacy.Erasure):
    user = request.user
    logout(request)
    with transaction.atomic():
        user.delete()  # events, changes, conversations, tool calls, proposals, token: cascade
    if erasure.complete:
        note = f"Tavus erased your {erasure.erased} conversations." if erasure.erased else ""
    else:
        note = (
            _erasure_words(erasure) + ": those stay at Tavus until Tavus removes them; "
            "we logged their ids so an administrator can erase them."
        )
    messages.success(request, f"Your account and all your data are deleted. {note}".strip())
    return redirect("home")


@never_cache
@require_safe
@login_required
def account_export_view(request):
    """A zip of the person's own data: events as iCalendar, conversations as JSON."""
    user = request.user
    now = timezone.now()
    events = Event.objects.filter(owner=user).order_by("start", "pk")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("events.ics", feed.calendar_build(user=user, events=events, now=now))
        conversations = privacy.conversations_export(user=user)
        archive.writestr(
            "conversations.json",
            json.dumps(conversations, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        )
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    stamp = timezone.localtime(now, user.tz).strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="drako-export-{stamp}.zip"'
    return response

"""Times and plain words on pages: `{% load schedule_format %}`."""

from datetime import datetime

from django import template
from django.utils import timezone

from schedules.clock import Clock, clock_for_request
from schedules.grid import event_edit_url
from schedules.models import Event, EventChange

register = template.Library()

# Where a change came from, as a person says it; the model's labels stay what the admin reads.
SOURCE_WORDS = {
    Event.Source.WEB: "by you",
    Event.Source.ASSISTANT: "by DRAKO",
    Event.Source.API: "via the API",
    Event.Source.ADMIN: "in the admin",
}
# A cancelled event is gone from the schedule, feed and free time: people call that deleting.
ACTION_WORDS = {EventChange.Action.CANCEL: "Deleted"}


def _clock(context) -> Clock:
    request = context.get("request")
    return clock_for_request(request) if request is not None else Clock()


@register.simple_tag(takes_context=True)
def clock_time(context, moment: datetime | None) -> str:
    """A time of day in the page's time zone, 12- or 24-hour as the reader's locale has it."""
    if moment is None:
        return ""
    return _clock(context).time(timezone.localtime(moment) if timezone.is_aware(moment) else moment)


@register.simple_tag(takes_context=True)
def clock_range(context, start: datetime, end: datetime) -> str:
    """'9:00 - 10:30 AM' in the page's time zone."""
    return _clock(context).range(start, end, timezone.get_current_timezone())


@register.filter
def source_words(source: str) -> str:
    """'by you', 'by DRAKO', 'via the API'."""
    return SOURCE_WORDS.get(source, "")


@register.filter
def action_words(change: EventChange) -> str:
    """'Created', 'Moved', 'Deleted' (a cancellation), ..."""
    return ACTION_WORDS.get(change.action, change.get_action_display())


@register.filter
def edit_url(event: Event) -> str:
    """Where an event is edited; an occurrence of a series opens as that occurrence."""
    return event_edit_url(event)

"""Reminders before events and the morning summary ("Start your day"), sent by the worker.

Every minute (schedules.tasks) `reminders_send_due` finds the reminders whose time has come, for
every user at once, and `summaries_send_due` the summaries. Each is claimed before it is sent: a
Notice row whose unique constraint lets exactly one worker have it, so several workers racing send
it once. A reminder is keyed by its event (a series', for an occurrence), the start it reminds of
and how long before: an event moved to a new time is reminded of at the new time, and a start
already reminded of is never reminded of again.

Late reminders: a reminder is sent from its time until LATE_LIMIT after it, and never once its
event has ended. One that passed while no worker ran is dropped, not sent hours late in the
middle of the night. A summary is sent from the user's chosen local time until SUMMARY_LATE_LIMIT
after it, once per local day.

A claimed notice is sent at most once: when delivery fails its error is kept (the admin shows
it) and it is not retried, since a retry could not know whether the first attempt arrived.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import REMINDER_MINUTES_MAX, User
from schedules import notify, selectors, speech
from schedules.models import Event, Notice

logger = logging.getLogger(__name__)

LATE_LIMIT = timedelta(minutes=30)
SUMMARY_LATE_LIMIT = timedelta(hours=1)
SUMMARY_MOST = 20


def lead_words(minutes: int) -> str:
    """'10 minutes', '1 hour', '2 days': how long before, in the active language."""
    if minutes and minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return ngettext("%(count)s day", "%(count)s days", days) % {"count": days}
    if minutes and minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(count)s hour", "%(count)s hours", hours) % {"count": hours}
    return ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}


def reminders_said(minutes: list[int]) -> str:
    """'I'll remind you 30 minutes before.' for a read-back; '' for none."""
    if not minutes:
        return _("No reminder.")
    times = ", ".join(
        _("%(lead)s before") % {"lead": lead_words(m)} if m else _("when it starts")
        for m in minutes
    )
    return _("I'll remind you %(times)s.") % {"times": times}


def talk_link(*, greet_today: bool = False) -> str:
    """The absolute "Talk to DRAKO" link (DRAKO_PUBLIC_URL); '' when no public URL is set."""
    if not settings.DRAKO_PUBLIC_URL:
        return ""
    path = reverse("conversations:start")
    return settings.DRAKO_PUBLIC_URL + path + ("?greet=today" if greet_today else "")


@dataclass(frozen=True)
class Due:
    occurrence: Event
    minutes: int

    @property
    def remind_at(self) -> datetime:
        return self.occurrence.start - timedelta(minutes=self.minutes)


def reminders_due(*, now: datetime) -> list[Due]:
    """The reminders to send at `now` that no worker has claimed yet."""
    horizon = timedelta(minutes=REMINDER_MINUTES_MAX)
    candidates = [
        Due(occurrence, minutes)
        for occurrence in selectors.event_starts_everyone(start=now - LATE_LIMIT, end=now + horizon)
        for minutes in occurrence.reminders
    ]
    due = [
        d
        for d in candidates
        if d.remind_at <= now < d.remind_at + LATE_LIMIT and now < d.occurrence.end
    ]
    if not due:
        return []
    claimed = set(
        Notice.objects.filter(
            kind=Notice.Kind.REMINDER,
            event_key__in={d.occurrence.series_key for d in due},
            starts_at__in={d.occurrence.start for d in due},
        ).values_list("event_key", "starts_at", "minutes")
    )
    return [
        d for d in due if (d.occurrence.series_key, d.occurrence.start, d.minutes) not in claimed
    ]


def _claim(**fields) -> Notice | None:
    """The notice, now ours to send; None when another worker claimed it first."""
    try:
        with transaction.atomic():
            return Notice.objects.create(**fields)
    except IntegrityError:
        return None


def _deliver(notice: Notice, message: notify.Message) -> None:
    try:
        notice.channel = notify.deliver(user=notice.owner, channel=notice.channel, message=message)
        notice.outcome = Notice.Outcome.SENT
    except notify.DeliveryError as error:
        notice.outcome, notice.error = Notice.Outcome.FAILED, str(error)[:300]
        logger.warning("notice=%s user=%s not delivered: %s", notice.pk, notice.owner_id, error)
    notice.save(update_fields=["channel", "outcome", "error"])


def reminders_send_due(*, now: datetime) -> int:
    """Claims and sends every reminder due at `now`; returns how many this worker sent."""
    return reminders_send(reminders_due(now=now), now=now)


def reminders_send(found: list[Due], *, now: datetime) -> int:
    """Claims and sends each of `found`; one another worker claimed meanwhile is skipped."""
    sent = 0
    for due in found:
        occurrence = due.occurrence
        notice = _claim(
            owner=occurrence.owner,
            kind=Notice.Kind.REMINDER,
            event_key=occurrence.series_key,
            starts_at=occurrence.start,
            minutes=due.minutes,
            due_at=due.remind_at,
            channel=occurrence.owner.reminder_channel,
        )
        if notice is None:
            continue
        _deliver(notice, reminder_message(occurrence, now=now))
        sent += notice.outcome == Notice.Outcome.SENT
    return sent


def reminder_message(occurrence: Event, *, now: datetime) -> notify.Message:
    """A reminder in its owner's language and zone."""
    user = occurrence.owner
    with translation.override(user.speech_language):
        tz = user.tz
        said = {
            "title": occurrence.title,
            "when": speech.describe(occurrence.start, tz=tz, now=now),
            "clock": speech.clock(occurrence.start.astimezone(tz)),
        }
        if occurrence.all_day:
            said["when"] = speech.describe_day(occurrence.start, tz=tz, now=now)
            lines = [_("%(title)s is %(when)s.") % said]
            subject = _("Reminder: %(title)s") % said
        else:
            lines = [_("%(title)s starts %(when)s.") % said]
            subject = _("Reminder: %(title)s at %(clock)s") % said
        if occurrence.location:
            lines.append(_("Where: %(place)s") % {"place": occurrence.location})
        return notify.Message(
            subject=subject,
            lines=lines,
            link=talk_link(),
            link_label=_("Talk to DRAKO"),
            tag=f"reminder-{occurrence.series_key}-{occurrence.start:%Y%m%dT%H%M}",
        )


def _summary_moment(user: User, day: date) -> datetime:
    # A time the clocks skip that day (02:30 when they jump to 03:00) is read as RFC 5545 reads
    # it: with the offset before the jump, i.e. an hour later on the new clock.
    return datetime.combine(day, user.summary_time, tzinfo=user.tz)


def summaries_due(*, now: datetime) -> list[tuple[User, date]]:
    """(user, local day) for each opted-in user whose summary time has come and not been sent."""
    found = []
    for user in User.objects.filter(summary_enabled=True, is_active=True):
        today = now.astimezone(user.tz).date()
        for day in (today, today - timedelta(days=1)):  # a late 23:45 summary is yesterday's
            at = _summary_moment(user, day)
            if at <= now < at + SUMMARY_LATE_LIMIT:
                found.append((user, day))
    if not found:
        return []
    claimed = set(
        Notice.objects.filter(
            kind=Notice.Kind.SUMMARY,
            owner__in=[u for u, _d in found],
            day__in={d for _u, d in found},
        ).values_list("owner_id", "day")
    )
    return [(user, day) for user, day in found if (user.pk, day) not in claimed]


def summaries_send_due(*, now: datetime) -> int:
    """Claims and sends every morning summary due at `now`; returns how many this worker sent."""
    sent = 0
    for user, day in summaries_due(now=now):
        notice = _claim(
            owner=user,
            kind=Notice.Kind.SUMMARY,
            day=day,
            due_at=_summary_moment(user, day),
            channel=user.summary_channel,
        )
        if notice is None:
            continue
        _deliver(notice, summary_message(user, day))
        sent += notice.outcome == Notice.Outcome.SENT
    return sent


def day_plan(user: User, day: date) -> list[Event]:
    """The user's confirmed events on their local `day`, earliest first."""
    start = datetime.combine(day, time(0), tzinfo=user.tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=user.tz)
    return selectors.event_list_for_user(user=user, start=start, end=end)


def plan_lines(user: User, events: list[Event]) -> list[str]:
    """One line per event: '9 to 9:30 AM: Standup (Room 4)', 'All day: Holiday'."""
    tz, lines = user.tz, []
    for event in events[:SUMMARY_MOST]:
        when = _("All day") if event.all_day else speech.clock_span(event.start, event.end, tz)
        line = f"{when}: {event.title}"
        lines.append(f"{line} ({event.location})" if event.location else line)
    if len(events) > SUMMARY_MOST:
        more = len(events) - SUMMARY_MOST
        lines.append(
            ngettext("…and %(count)s more event.", "…and %(count)s more events.", more)
            % {"count": more}
        )
    return lines


def summary_message(user: User, day: date) -> notify.Message:
    """The morning summary: today's plan in the user's language and zone."""
    events = day_plan(user, day)
    with translation.override(user.speech_language):
        said = {"name": user.name, "day": speech.day(day, day)}
        lines = [_("Good morning, %(name)s. Your plan for %(day)s:") % said]
        lines += plan_lines(user, events) or [_("Nothing is planned today.")]
        return notify.Message(
            subject=_("Your day: %(day)s") % said,
            lines=lines,
            link=talk_link(greet_today=True),
            link_label=_("Talk to DRAKO about your day"),
            tag=f"summary-{day:%Y%m%d}",
        )

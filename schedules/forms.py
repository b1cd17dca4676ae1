"""The event form: dates and clock times as the user reads them, in the user's own time zone."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms

from schedules import recurrence, services
from schedules.errors import EventInvalidError
from schedules.models import LOCATION_MAX, NOTES_MAX, RULE_MAX, TITLE_MAX, Event
from schedules.speech import clock

MIDNIGHT = time(0)
# Where each of the schedule's rules shows on this form.
_FORM_FIELDS = {"start": "date", "end": "end_time"}


def local_moment(day: date, at: time, tz: ZoneInfo) -> tuple[datetime | None, bool]:
    """`day` at `at` in `tz`: (None, False) when DST skips that wall time; (first, True) when it
    happens twice."""
    naive = datetime.combine(day, at)
    first = naive.replace(tzinfo=tz)
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        return None, False
    return first, first.utcoffset() != naive.replace(tzinfo=tz, fold=1).utcoffset()


REPEATS = [
    ("", "Doesn't repeat"),
    ("daily", "Every day"),
    ("weekdays", "Every weekday (Monday to Friday)"),
    ("weekly", "Weekly, on the days ticked below"),
    ("monthly_date", "Monthly, on the same date"),
    ("monthly_weekday", "Monthly, on the same weekday (e.g. the second Tuesday)"),
    ("yearly", "Every year"),
    ("custom", "Custom rule (RFC 5545 RRULE)"),
]
REPEAT_DAYS = [("MO", "Mon"), ("TU", "Tue"), ("WE", "Wed"), ("TH", "Thu"), ("FR", "Fri"),
               ("SA", "Sat"), ("SU", "Sun")]  # fmt: skip
ENDS = [("never", "Never"), ("count", "After a number of times"), ("until", "On a date")]


def _nth_weekday(day: date) -> str:
    """BYDAY for "the same weekday of the month as `day`": 2TU; the fifth one is the last."""
    nth = (day.day - 1) // 7 + 1
    return f"{-1 if nth == 5 else nth}{recurrence.DAYS[day.weekday()]}"


def repeat_initial(rule: str) -> dict:
    """The repeat fields for a stored rule; one they can't show is a custom rule."""
    if not rule:
        return {"repeat": ""}
    parts = recurrence.rule_parts(rule)
    end = {"repeat_end": "never"}
    if "COUNT" in parts:
        end = {"repeat_end": "count", "repeat_count": int(parts.pop("COUNT"))}
    elif "UNTIL" in parts:
        until = datetime.strptime(parts.pop("UNTIL"), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        end = {"repeat_end": "until", "repeat_until": until}
    keys, byday = set(parts) - {"FREQ"}, parts.get("BYDAY", "")
    simple = {
        ("DAILY", frozenset()): "daily",
        ("WEEKLY", frozenset({"BYDAY"})): "weekly",
        ("MONTHLY", frozenset({"BYMONTHDAY"})): "monthly_date",
        ("MONTHLY", frozenset({"BYDAY"})): "monthly_weekday",
        ("YEARLY", frozenset()): "yearly",
    }.get((parts["FREQ"], frozenset(keys)))
    if simple == "weekly" and byday == recurrence.WEEKDAYS:
        simple = "weekdays"
    if simple == "weekly" and any(len(code) != 2 for code in byday.split(",")):
        simple = None
    if simple is None:
        return {"repeat": "custom", "rule": rule}
    return {"repeat": simple, "repeat_days": byday.split(",") if simple == "weekly" else [], **end}


def _day_words(day: date) -> str:
    return f"{day:%A}, {day:%B} {day.day}"


def reminders_text(minutes: list[int]) -> str:
    """A list of reminders as the form's field shows it: "10, 60"."""
    return ", ".join(str(m) for m in minutes)


class EventForm(forms.Form):
    """One event as a person fills it in; `clean()` turns the local fields into aware start/end."""

    title = forms.CharField(max_length=TITLE_MAX)
    date = forms.DateField(
        label="Starts", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start_time = forms.TimeField(
        label="Start time",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    end_date = forms.DateField(
        label="Ends",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end_time = forms.TimeField(
        label="End time",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    all_day = forms.BooleanField(label="All day", required=False)
    location = forms.CharField(max_length=LOCATION_MAX, required=False)
    show_as = forms.ChoiceField(
        label="Show me as",
        choices=Event.ShowAs.choices,
        initial=Event.ShowAs.BUSY,
        help_text="Free events never block other bookings.",
    )
    notes = forms.CharField(
        max_length=NOTES_MAX, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    reminders = forms.CharField(
        label="Remind me",
        max_length=60,
        required=False,
        help_text="Minutes before the start, e.g. 10, or 10, 60 for two; empty for none.",
    )
    repeat = forms.ChoiceField(label="Repeats", choices=REPEATS, required=False)
    repeat_days = forms.MultipleChoiceField(
        label="On", choices=REPEAT_DAYS, required=False, widget=forms.CheckboxSelectMultiple
    )
    rule = forms.CharField(
        label="Rule",
        max_length=RULE_MAX,
        required=False,
        help_text="For a custom repeat, e.g. FREQ=WEEKLY;INTERVAL=2;BYDAY=MO.",
    )
    repeat_end = forms.ChoiceField(
        label="Repeat ends", choices=ENDS, required=False, initial="never"
    )
    repeat_count = forms.IntegerField(
        label="Times", min_value=1, max_value=recurrence.MAX_COUNT, required=False
    )
    repeat_until = forms.DateField(
        label="Last day",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    allow_conflict = forms.BooleanField(
        label="Book anyway, even though it overlaps", required=False
    )

    def __init__(self, *args, tz: ZoneInfo, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.tz = tz
        # Things worth telling the person after saving, e.g. which of two 1:30 AMs was used.
        self.notes: list[str] = []

    @classmethod
    def initial_for_times(cls, start: datetime, end: datetime, tz: ZoneInfo) -> dict:
        local_start, local_end = start.astimezone(tz), end.astimezone(tz)
        return {
            "date": local_start.date(),
            "start_time": local_start.time().replace(second=0, microsecond=0),
            "end_date": local_end.date(),
            "end_time": local_end.time().replace(second=0, microsecond=0),
        }

    @classmethod
    def initial_for_event(cls, event: Event, tz: ZoneInfo) -> dict:
        initial = cls.initial_for_times(event.start, event.end, tz)
        if event.all_day:
            last_day = (event.end - timedelta(microseconds=1)).astimezone(tz).date()
            initial.update(end_date=max(last_day, initial["date"]), start_time=None, end_time=None)
        initial.update(
            title=event.title,
            all_day=event.all_day,
            location=event.location,
            notes=event.notes,
            show_as=event.show_as,
            reminders=reminders_text(event.reminders),
        )
        series = event if event.recurrence else event.series
        initial.update(repeat_initial(series.recurrence if series else ""))
        if isinstance(initial.get("repeat_until"), datetime):
            initial["repeat_until"] = initial["repeat_until"].astimezone(tz).date()
        return initial

    def clean_reminders(self) -> list[int]:
        words = self.cleaned_data["reminders"].replace(",", " ").split()
        if not all(word.isascii() and word.isdigit() for word in words):
            raise forms.ValidationError("Write minutes as numbers, e.g. 10, or 10, 60.")
        try:
            return services.reminders_normalized([int(word) for word in words])
        except EventInvalidError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean(self):
        data = super().clean()
        day = data.get("date")
        if day is None:
            return data
        end_day = data.get("end_date") or day
        if data.get("all_day"):
            start, end = self._whole_days(day, end_day)
        else:
            start, end = self._timed(day, end_day, data.get("start_time"), data.get("end_time"))
        data["start"], data["end"] = start, end
        data["recurrence"] = self._rule(data, day)
        if start is not None and end is not None:
            self._check_event(data)
        return data

    def _rule(self, data: dict, day: date) -> str:
        """The RRULE the repeat fields say, in the stored form ("" for none)."""
        repeat = data.get("repeat") or ""
        if not repeat:
            return ""
        if repeat == "custom":
            parts = recurrence.rule_parts(data.get("rule") or "") if data.get("rule") else {}
            if not parts:
                self.add_error("rule", "Write the rule, or pick how it repeats above.")
                return ""
        else:
            parts = {
                "daily": {"FREQ": "DAILY"},
                "weekdays": {"FREQ": "WEEKLY", "BYDAY": recurrence.WEEKDAYS},
                "weekly": {"FREQ": "WEEKLY", "BYDAY": ",".join(
                    code for code, _label in REPEAT_DAYS if code in (data.get("repeat_days") or [])
                ) or recurrence.DAYS[day.weekday()]},
                "monthly_date": {"FREQ": "MONTHLY", "BYMONTHDAY": str(day.day)},
                "monthly_weekday": {"FREQ": "MONTHLY", "BYDAY": _nth_weekday(day)},
                "yearly": {"FREQ": "YEARLY"},
            }[repeat]  # fmt: skip
        # "Ends" decides; a custom rule left at "Never" keeps the end written in it.
        if data.get("repeat_end") == "count":
            if not data.get("repeat_count"):
                self.add_error("repeat_count", "How many times?")
                return ""
            parts.pop("UNTIL", None)
            parts["COUNT"] = str(data["repeat_count"])
        elif data.get("repeat_end") == "until":
            if not data.get("repeat_until"):
                self.add_error("repeat_until", "On which day does it end?")
                return ""
            parts.pop("COUNT", None)
            parts["UNTIL"] = data["repeat_until"].strftime("%Y%m%d")
        try:
            return recurrence.rule_normalize(recurrence.rule_join(parts), tz=self.tz)
        except recurrence.RecurrenceError as exc:
            self.add_error("rule" if repeat == "custom" else "repeat", exc.message)
            return ""

    def _check_event(self, data: dict) -> None:
        """The schedule's own rules (services.event_problems), shown beside the fields."""
        candidate = Event(
            title=data.get("title") or "-",  # a missing title is the title field's own error
            start=data["start"],
            end=data["end"],
            location=data.get("location") or "",
            notes=data.get("notes") or "",
            show_as=data.get("show_as") or Event.ShowAs.BUSY,
        )
        for field, message in services.event_problems(candidate):
            target = _FORM_FIELDS.get(field, field)
            if target not in self.errors:
                self.add_error(target if target in self.fields else None, message)

    def _whole_days(self, day: date, end_day: date):
        if end_day < day:
            self.add_error("end_date", "The last day can't be before the first.")
            return None, None
        return (
            datetime.combine(day, MIDNIGHT, tzinfo=self.tz),
            datetime.combine(end_day + timedelta(days=1), MIDNIGHT, tzinfo=self.tz),
        )

    def _timed(self, day: date, end_day: date, start_time, end_time):
        missing = False
        for field, value in (("start_time", start_time), ("end_time", end_time)):
            if value is None and field not in self.errors:
                self.add_error(field, "Add a time, or tick “All day”.")
            missing = missing or value is None
        if missing:
            return None, None
        start = self._moment("start_time", day, start_time)
        end = self._moment("end_time", end_day, end_time)
        return start, end

    def _moment(self, field: str, day: date, at: time) -> datetime | None:
        moment, ambiguous = local_moment(day, at, self.tz)
        zone = self.tz.key
        if moment is None:
            self.add_error(
                field,
                f"{clock(at)} doesn't exist on {_day_words(day)} in {zone}: the clocks jump "
                "forward an hour that night. Pick a time before or after the jump.",
            )
        elif ambiguous:
            self.notes.append(
                f"{clock(at)} happens twice on {_day_words(day)} in {zone} (the clocks go back); "
                f"DRAKO used the first one ({clock(at)} {moment.tzname()})."
            )
        return moment

    def event_fields(self) -> dict:
        """The cleaned values in the shape the services take."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "start": data["start"],
            "end": data["end"],
            "all_day": data["all_day"],
            "location": data["location"],
            "notes": data["notes"],
            "show_as": data["show_as"],
            "recurrence": data.get("recurrence") or "",
            "reminders": data.get("reminders") or [],
        }

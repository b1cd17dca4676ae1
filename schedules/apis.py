from datetime import timedelta

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.models import REMINDER_MINUTES_MAX
from drako.api_errors import error_body
from drako.apis import UserApi
from schedules import selectors, series, services
from schedules.errors import EventConflictError
from schedules.fields import DurationMinutesField, WhenField
from schedules.models import LOCATION_MAX, NOTES_MAX, RULE_MAX, TITLE_MAX, Event, EventChange

MAX_WINDOW = timedelta(days=92)


class EventOutputSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(
        source="series_key", read_only=True, help_text="The event's id; an occurrence's series'."
    )
    start = WhenField()
    end = WhenField()
    recurrence = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="The series' RRULE (FREQ=WEEKLY;BYDAY=MO); null for a single event.",
    )
    recurrence_id = WhenField(
        read_only=True,
        allow_null=True,
        help_text="An occurrence's original start; null for a single event.",
    )
    calendar = serializers.SerializerMethodField(
        help_text="The other calendar it comes from (read-only then); null for DRAKO's own."
    )
    read_only = serializers.BooleanField(read_only=True)

    class Meta:
        model = Event
        fields = (
            "id",
            "title",
            "start",
            "end",
            "all_day",
            "location",
            "notes",
            "status",
            "show_as",
            "source",
            "recurrence",
            "recurrence_id",
            "reminders",
            "calendar",
            "read_only",
            "created_at",
            "updated_at",
        )

    def get_calendar(self, event) -> int | None:
        return event.other_calendar.id if event.other_calendar else None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["recurrence"] = data["recurrence"] or None
        return data


class SlotSerializer(serializers.Serializer):
    start = WhenField()
    end = WhenField()


@extend_schema_serializer(component_name="Conflict")
class ConflictSerializer(serializers.Serializer):
    """409: what the change would overlap, and free slots of the same length nearby."""

    detail = serializers.CharField()
    conflicts = EventOutputSerializer(many=True, required=False)
    alternatives = SlotSerializer(many=True, required=False)


CONFLICT = OpenApiResponse(
    ConflictSerializer, description="Overlaps a busy event, or cannot be undone."
)


class ChangeOutputSerializer(serializers.ModelSerializer):
    undone = serializers.SerializerMethodField()

    class Meta:
        model = EventChange
        fields = (
            "id",
            "action",
            "event",
            "before",
            "after",
            "source",
            "utterance",
            "created_at",
            "undone",
        )

    def get_undone(self, change) -> bool:
        return hasattr(change, "reverted_by")


@extend_schema_field(OpenApiTypes.STR)
class RecurrenceField(serializers.CharField):
    """An RRULE value (FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10, a leading RRULE: allowed) or null."""

    def __init__(self, **kwargs):
        super().__init__(
            max_length=RULE_MAX,
            allow_null=True,
            allow_blank=True,
            help_text="RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10; null: no repeat.",
            **kwargs,
        )


def _reminders_field(**kwargs) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=REMINDER_MINUTES_MAX),
        max_length=services.REMINDERS_MOST,
        help_text="Minutes before the start to remind, e.g. [10]; [] for none.",
        **kwargs,
    )


class OccurrenceWhenField(WhenField):
    """An occurrence's recurrence_id as the list gave it; a '+' a query string turned into a
    space is read as the '+' it was."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "T" in data:
            data = data.strip().replace(" ", "+")
        return super().to_internal_value(data)


class OccurrenceSerializer(serializers.Serializer):
    occurrence = OccurrenceWhenField(
        required=False, help_text="One occurrence of a series: its recurrence_id from the list."
    )
    scope = serializers.ChoiceField(
        choices=series.SCOPES,
        default=series.THIS,
        help_text="With occurrence: this one, this and following, or all.",
    )


class WindowSerializer(serializers.Serializer):
    start = WhenField()
    end = WhenField()

    def validate(self, attrs):
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError("end must be after start.")
        if attrs["end"] - attrs["start"] > MAX_WINDOW:
            raise serializers.ValidationError("The window can span at most 92 days.")
        return attrs


@error_body(EventConflictError)
def _conflict_body(exc: EventConflictError, context: dict) -> dict:
    """409: the events in the way and free times of the same length, in the user's zone."""
    context = {"request": context.get("request")}
    return {
        "detail": exc.message,
        "conflicts": EventOutputSerializer(exc.conflicts, many=True, context=context).data,
        "alternatives": SlotSerializer(
            [{"start": s, "end": e} for s, e in exc.alternatives], many=True, context=context
        ).data,
    }


def _context(request) -> services.ChangeContext:
    return services.ChangeContext(source=Event.Source.API, actor=request.user)


class EventListCreateApi(UserApi):
    """The user's events in a window; create one."""

    @extend_schema_serializer(component_name="EventCreateInput")
    class InputSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=TITLE_MAX)
        start = WhenField()
        end = WhenField()
        all_day = serializers.BooleanField(default=False)
        location = serializers.CharField(
            max_length=LOCATION_MAX, required=False, allow_blank=True, default=""
        )
        notes = serializers.CharField(
            max_length=NOTES_MAX, required=False, allow_blank=True, default=""
        )
        show_as = serializers.ChoiceField(
            choices=Event.ShowAs.choices,
            required=False,
            help_text="Default: free for an all-day event, busy otherwise.",
        )
        recurrence = RecurrenceField(required=False)
        reminders = _reminders_field(required=False, default=None, allow_null=True)
        allow_conflict = serializers.BooleanField(default=False)

        def validate(self, attrs):
            # An all-day event (a holiday, a trip) shouldn't block the day unless said so.
            default = Event.ShowAs.FREE if attrs.get("all_day") else Event.ShowAs.BUSY
            return {**attrs, "show_as": attrs.get("show_as", default)}

    @extend_schema(parameters=[WindowSerializer], responses={200: EventOutputSerializer(many=True)})
    def get(self, request):
        window = WindowSerializer(data=request.query_params, context={"request": request})
        window.is_valid(raise_exception=True)
        events = selectors.event_list_for_user(user=request.user, **window.validated_data)
        return Response(EventOutputSerializer(events, many=True, context={"request": request}).data)

    @extend_schema(request=InputSerializer, responses={201: EventOutputSerializer, 409: CONFLICT})
    def post(self, request):
        serializer = self.InputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        event, _change = services.event_create(
            owner=request.user, context=_context(request), **serializer.validated_data
        )
        data = EventOutputSerializer(event, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)


class EventDetailApi(UserApi):
    """One of the user's events: read, change (rename, move, resize, cancel) or delete."""

    @extend_schema_serializer(component_name="EventUpdateInput")
    class InputSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=TITLE_MAX, required=False)
        start = WhenField(required=False)
        end = WhenField(required=False)
        all_day = serializers.BooleanField(required=False)
        location = serializers.CharField(max_length=LOCATION_MAX, required=False, allow_blank=True)
        notes = serializers.CharField(max_length=NOTES_MAX, required=False, allow_blank=True)
        show_as = serializers.ChoiceField(choices=Event.ShowAs.choices, required=False)
        status = serializers.ChoiceField(choices=[Event.Status.CANCELLED], required=False)
        recurrence = RecurrenceField(required=False)
        reminders = _reminders_field(required=False)
        allow_conflict = serializers.BooleanField(default=False)

    @extend_schema(parameters=[OccurrenceSerializer], responses={200: EventOutputSerializer})
    def get(self, request, event_id: int):
        event = _event_or_occurrence(request, event_id)[0]
        return Response(EventOutputSerializer(event, context={"request": request}).data)

    @extend_schema(
        parameters=[OccurrenceSerializer],
        request=InputSerializer,
        responses={200: EventOutputSerializer, 409: CONFLICT},
    )
    def patch(self, request, event_id: int):
        event, scope = _event_or_occurrence(request, event_id)
        serializer = self.InputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        allow_conflict = changes.pop("allow_conflict")
        cancel = changes.pop("status", None) == Event.Status.CANCELLED
        if "recurrence" in changes:
            changes["recurrence"] = changes["recurrence"] or ""
        context = _context(request)
        if scope is not None:  # cancelling an occurrence makes any other change moot
            if cancel:
                event, _ = series.occurrence_cancel(occurrence=event, scope=scope, context=context)
            elif changes:
                event, _ = series.occurrence_update(
                    occurrence=event,
                    changes=changes,
                    scope=scope,
                    allow_conflict=allow_conflict,
                    context=context,
                )
            return Response(EventOutputSerializer(event, context={"request": request}).data)
        if changes:
            event, _ = services.event_update(
                event=event, changes=changes, allow_conflict=allow_conflict, context=context
            )
        if cancel:
            event, _ = services.event_cancel(event=event, context=context)
        return Response(EventOutputSerializer(event, context={"request": request}).data)

    @extend_schema(parameters=[OccurrenceSerializer], responses={204: None})
    def delete(self, request, event_id: int):
        event, scope = _event_or_occurrence(request, event_id)
        if scope is not None:  # one occurrence (or the rest of the series) is cancelled
            series.occurrence_cancel(occurrence=event, scope=scope, context=_context(request))
        else:
            services.event_delete(event=event, context=_context(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _event_or_occurrence(request, event_id: int) -> tuple[Event, str | None]:
    """The event, or with ?occurrence= one occurrence of the series and the scope asked for."""
    params = OccurrenceSerializer(data=request.query_params, context={"request": request})
    params.is_valid(raise_exception=True)
    moment = params.validated_data.get("occurrence")
    if moment is None:
        event = selectors.event_get_for_user(user=request.user, event_id=event_id)
        if not event.recurrence or request.method != "PATCH":
            return event, None
        # A change to a series as a whole is made as "all" from its first occurrence, so a new
        # start moves every occurrence (its weekdays too) the same way the pages do.
        moment, params.validated_data["scope"] = event.start, series.ALL
    occurrence = selectors.occurrence_get_for_user(
        user=request.user, event_id=event_id, recurrence_id=moment
    )
    return occurrence, params.validated_data["scope"]


class FreeSlotsApi(UserApi):
    """Free stretches of at least `duration` minutes in a window, within the user's working day."""

    @extend_schema_serializer(component_name="FreeSlotsQueryInput")
    class InputSerializer(WindowSerializer):
        duration = DurationMinutesField()

    @extend_schema(
        parameters=[
            OpenApiParameter("duration", int, description="Minutes, e.g. 30", required=True),
            OpenApiParameter("start", str, required=True),
            OpenApiParameter("end", str, required=True),
        ],
        responses={
            200: inline_serializer(
                "FreeSlot",
                {
                    "start": serializers.DateTimeField(),
                    "end": serializers.DateTimeField(),
                    "minutes": serializers.IntegerField(),
                },
                many=True,
            )
        },
    )
    def get(self, request):
        params = self.InputSerializer(data=request.query_params, context={"request": request})
        params.is_valid(raise_exception=True)
        slots = selectors.free_slots_for_user(
            user=request.user, now=timezone.now(), **params.validated_data
        )
        data = SlotSerializer(slots, many=True, context={"request": request}).data
        for item, slot in zip(data, slots, strict=True):
            item["minutes"] = slot.minutes
        return Response(data)


class ChangeListApi(UserApi):
    """The user's most recent schedule changes, newest first."""

    @extend_schema(responses={200: ChangeOutputSerializer(many=True)})
    def get(self, request):
        changes = selectors.event_change_list_for_user(user=request.user).select_related(
            "reverted_by"
        )
        return Response(ChangeOutputSerializer(changes, many=True).data)


class ChangeUndoApi(UserApi):
    """Reverts one change, if the event is still as that change left it."""

    @extend_schema(request=None, responses={200: ChangeOutputSerializer, 409: CONFLICT})
    def post(self, request, change_id: int):
        change = selectors.event_change_get_for_user(user=request.user, change_id=change_id)
        undo = services.event_change_undo(change=change, context=_context(request))
        return Response(ChangeOutputSerializer(undo).data)

from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from calendars import imports, selectors, services
from calendars.models import NAME_MAX, URL_MAX, Calendar
from drako.apis import UserApi
from schedules.models import Event
from schedules.services import ChangeContext


class CalendarOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Calendar
        fields = ("id", "kind", "name", "status", "last_synced_at", "last_error")


class SubscriptionInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[Calendar.Kind.SUBSCRIPTION])
    url = serializers.CharField(max_length=URL_MAX, help_text="https:// or webcal:// address")
    name = serializers.CharField(max_length=NAME_MAX, required=False, allow_blank=True)


class CalDAVInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[Calendar.Kind.CALDAV])
    url = serializers.CharField(max_length=URL_MAX, help_text="The CalDAV server's address")
    username = serializers.CharField(max_length=200)
    password = serializers.CharField(max_length=500, write_only=True, help_text="App password")
    calendar = serializers.CharField(
        max_length=URL_MAX,
        required=False,
        allow_blank=True,
        help_text="The calendar's name or URL on that server; empty: the first one",
    )


class PasswordInputSerializer(serializers.Serializer):
    password = serializers.CharField(
        max_length=500, write_only=True, help_text="The new app password"
    )


class KindSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Calendar.Kind.choices)


CONNECT_INPUT = PolymorphicProxySerializer(
    component_name="CalendarConnectInput",
    serializers=[SubscriptionInputSerializer, CalDAVInputSerializer],
    resource_type_field_name="kind",
)


class CalendarListCreateApi(UserApi):
    """The user's other calendars: list them, or connect one (subscribe, or CalDAV)."""

    @extend_schema(responses={200: CalendarOutputSerializer(many=True)})
    def get(self, request):
        calendars = selectors.calendar_list_for_user(user=request.user)
        return Response(CalendarOutputSerializer(calendars, many=True).data)

    @extend_schema(
        request=CONNECT_INPUT,
        responses={
            201: CalendarOutputSerializer,
            409: OpenApiResponse(description="Already subscribed to that address."),
            503: OpenApiResponse(description="CalDAV is unavailable: no CALENDAR_SECRET_KEY."),
        },
    )
    def post(self, request):
        kind = KindSerializer(data=request.data)
        kind.is_valid(raise_exception=True)
        if kind.validated_data["kind"] == Calendar.Kind.SUBSCRIPTION:
            data = _valid(SubscriptionInputSerializer, request)
            calendar = services.calendar_subscribe(
                owner=request.user, url=data["url"], name=data.get("name", "")
            )
        else:
            data = _valid(CalDAVInputSerializer, request)
            calendar = services.caldav_connect(
                owner=request.user,
                url=data["url"],
                username=data["username"],
                password=data["password"],
                calendar=data.get("calendar", ""),
            )
        return Response(CalendarOutputSerializer(calendar).data, status=status.HTTP_201_CREATED)


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class CalendarDetailApi(UserApi):
    """One of the user's calendars: read it, give a CalDAV one a new app password, or disconnect
    it (its events go with it)."""

    @extend_schema(responses={200: CalendarOutputSerializer})
    def get(self, request, calendar_id: int):
        calendar = selectors.calendar_get_for_user(user=request.user, calendar_id=calendar_id)
        return Response(CalendarOutputSerializer(calendar).data)

    @extend_schema(
        request=PasswordInputSerializer,
        responses={
            200: CalendarOutputSerializer,
            400: OpenApiResponse(description="The server refused it, or not a CalDAV calendar."),
            503: OpenApiResponse(description="CalDAV is unavailable: no CALENDAR_SECRET_KEY."),
        },
    )
    def patch(self, request, calendar_id: int):
        calendar = selectors.calendar_get_for_user(user=request.user, calendar_id=calendar_id)
        data = _valid(PasswordInputSerializer, request)
        calendar = services.caldav_password_change(calendar=calendar, password=data["password"])
        return Response(CalendarOutputSerializer(calendar).data)

    @extend_schema(responses={204: None})
    def delete(self, request, calendar_id: int):
        calendar = selectors.calendar_get_for_user(user=request.user, calendar_id=calendar_id)
        services.calendar_disconnect(calendar=calendar)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CalendarSyncApi(UserApi):
    """Syncs one of the user's calendars now; answers once it has run, with its status."""

    @extend_schema(request=None, responses={200: CalendarOutputSerializer})
    def post(self, request, calendar_id: int):
        calendar = selectors.calendar_get_for_user(user=request.user, calendar_id=calendar_id)
        calendar = services.calendar_sync(calendar=calendar)
        return Response(CalendarOutputSerializer(calendar).data)


class EventImportApi(UserApi):
    """Imports an .ics file once into the user's own events; duplicates (by UID) skipped."""

    parser_classes = [MultiPartParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(help_text="An iCalendar (.ics) file")

    class OutputSerializer(serializers.Serializer):
        created = serializers.IntegerField()
        skipped = serializers.IntegerField()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request):
        upload = _valid(self.InputSerializer, request)["file"]
        data = upload.read(imports.MAX_IMPORT_BYTES + 1)
        context = ChangeContext(source=Event.Source.API, actor=request.user)
        created, skipped = imports.ics_import(owner=request.user, data=data, context=context)
        return Response({"created": created, "skipped": skipped})

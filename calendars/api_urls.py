from django.urls import path

from calendars import apis

urlpatterns = [
    path("calendars/", apis.CalendarListCreateApi.as_view(), name="calendar-list"),
    path("calendars/<int:calendar_id>/", apis.CalendarDetailApi.as_view(), name="calendar-detail"),
    path("calendars/<int:calendar_id>/sync/", apis.CalendarSyncApi.as_view(), name="calendar-sync"),
    path("events/import/", apis.EventImportApi.as_view(), name="event-import"),
]

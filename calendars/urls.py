from django.urls import path

from calendars import views

app_name = "calendars"

urlpatterns = [
    path("calendars/", views.calendar_list_view, name="calendars"),
    path("calendars/subscribe/", views.calendar_subscribe_view, name="calendar-subscribe"),
    path("calendars/caldav/", views.calendar_caldav_view, name="calendar-caldav"),
    path("calendars/<int:calendar_id>/sync/", views.calendar_sync_view, name="calendar-sync"),
    path(
        "calendars/<int:calendar_id>/password/",
        views.calendar_password_view,
        name="calendar-password",
    ),
    path(
        "calendars/<int:calendar_id>/disconnect/",
        views.calendar_disconnect_view,
        name="calendar-disconnect",
    ),
    path("calendars/import/", views.event_import_preview_view, name="event-import-preview"),
    path("calendars/import/confirm/", views.event_import_view, name="event-import"),
]

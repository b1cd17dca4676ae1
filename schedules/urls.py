from django.urls import path

from schedules import push_views, search, views

app_name = "schedules"

urlpatterns = [
    path("schedule/", views.schedule_view, name="schedule"),
    path("schedule/search/", search.event_search_view, name="event-search"),
    path("schedule/events/new/", views.event_create_view, name="event-create"),
    path("schedule/events/<int:event_id>/edit/", views.event_edit_view, name="event-edit"),
    path("schedule/events/<int:event_id>/cancel/", views.event_cancel_view, name="event-cancel"),
    path("schedule/changes/<int:change_id>/undo/", views.change_undo_view, name="change-undo"),
    path("calendar/<str:token>.ics", views.calendar_feed_view, name="calendar-feed"),
    path("sw.js", push_views.service_worker_view, name="service-worker"),
]

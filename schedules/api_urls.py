from django.urls import path

from schedules import apis

urlpatterns = [
    path("events/", apis.EventListCreateApi.as_view(), name="event-list"),
    path("events/free-slots/", apis.FreeSlotsApi.as_view(), name="event-free-slots"),
    path("events/<int:event_id>/", apis.EventDetailApi.as_view(), name="event-detail"),
    path("changes/", apis.ChangeListApi.as_view(), name="change-list"),
    path("changes/<int:change_id>/undo/", apis.ChangeUndoApi.as_view(), name="change-undo"),
]

from django.urls import path

from schedules import apis, push_apis

urlpatterns = [
    path("events/", apis.EventListCreateApi.as_view(), name="event-list"),
    path("events/free-slots/", apis.FreeSlotsApi.as_view(), name="event-free-slots"),
    path("events/<int:event_id>/", apis.EventDetailApi.as_view(), name="event-detail"),
    path("changes/", apis.ChangeListApi.as_view(), name="change-list"),
    path("changes/<int:change_id>/undo/", apis.ChangeUndoApi.as_view(), name="change-undo"),
    path(
        "push/subscriptions/",
        push_apis.PushSubscriptionListCreateApi.as_view(),
        name="push-subscription-list",
    ),
    path(
        "push/subscriptions/<int:subscription_id>/",
        push_apis.PushSubscriptionDetailApi.as_view(),
        name="push-subscription-detail",
    ),
]

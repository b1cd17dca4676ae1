from django.urls import path

from conversations import views

app_name = "conversations"

urlpatterns = [
    path("", views.conversation_list_view, name="list"),
    path("start/", views.conversation_start_view, name="start"),
    path("playground/", views.tool_playground_view, name="playground"),
    path("<int:conversation_id>/", views.conversation_detail_view, name="detail"),
    path("<int:conversation_id>/end/", views.conversation_end_view, name="end"),
    path("<int:conversation_id>/today/", views.conversation_today_view, name="today"),
    path(
        "<int:conversation_id>/changes/<int:change_id>/",
        views.conversation_change_card_view,
        name="change-card",
    ),
    path(
        "<int:conversation_id>/changes/<int:change_id>/undo/",
        views.conversation_change_undo_view,
        name="change-undo",
    ),
]

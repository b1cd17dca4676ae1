from django.urls import path

from conversations import apis, relay

urlpatterns = [
    # Tavus's callbacks first (each call sends several, each at least once), then the rest.
    path("tavus/callbacks/<str:token>/", apis.TavusCallbackApi.as_view(), name="tavus-callback"),
    path("tavus/tools/<str:name>/", apis.TavusToolApi.as_view(), name="tavus-tool"),
    path("conversations/", apis.ConversationListStartApi.as_view(), name="conversation-list"),
    path(
        "conversations/<int:conversation_id>/",
        apis.ConversationDetailApi.as_view(),
        name="conversation-detail",
    ),
    path(
        "conversations/<int:conversation_id>/end/",
        apis.ConversationEndApi.as_view(),
        name="conversation-end",
    ),
    path(
        "conversations/<int:conversation_id>/tool-calls/",
        relay.relay_view(apis.ToolCallRelayApi.as_view()),
        name="conversation-tool-calls",
    ),
    path(
        "conversations/<int:conversation_id>/changes/<int:change_id>/<str:action>/",
        apis.ProposalDecisionApi.as_view(),
        name="conversation-change-decide",
    ),
]

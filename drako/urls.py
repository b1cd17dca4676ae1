"""DRAKO's URL map: pages at the top, the JSON API under api/."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from drako import metrics, readiness, views

api_patterns = [
    path("", include("conversations.api_urls")),  # first: the tool-call relay
    path("", include("accounts.api_urls")),
    path("", include("schedules.api_urls")),
    path("", include("calendars.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    # First: Django tries patterns in order, and the API (tool calls on every turn of a live
    # call) is the hottest path.
    path("api/", include((api_patterns, "api"))),
    path("", views.home_view, name="home"),
    path("healthz", views.healthz_view, name="healthz"),
    path("readyz", readiness.readyz_view, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("favicon.ico", views.favicon_view),
    # Leaving and taking one's data span every app: the app at the top composes them.
    path("accounts/", include("conversations.account_urls")),
    path("example/conversation/", views.example_conversation_view, name="example-conversation"),
    path("accounts/", include("accounts.urls")),
    path("", include("schedules.urls")),
    path("conversations/", include("conversations.urls")),
    path("", include("calendars.urls")),
    path("", include("personas.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "drako.views.bad_request_view"
handler403 = "drako.views.permission_denied_view"
handler404 = "drako.views.not_found_view"
handler500 = "drako.views.server_error_view"

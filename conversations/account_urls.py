"""/accounts/delete/ and /accounts/export/: mounted under accounts/ by drako/urls.py, before
accounts.urls, because they gather every app's data (see account_views)."""

from django.urls import path

from conversations import account_views

urlpatterns = [
    path("delete/", account_views.account_delete_view, name="account-delete"),
    path("export/", account_views.account_export_view, name="account-export"),
]

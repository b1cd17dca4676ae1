from django.urls import path

from personas import views

app_name = "personas"

urlpatterns = [
    path("documents/<str:token>/<str:filename>", views.document_file_view, name="document-file"),
]

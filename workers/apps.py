from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class WorkersConfig(AppConfig):
    name = "workers"
    verbose_name = "Background work"

    def ready(self) -> None:
        # Every app's tasks.py is imported, so each process knows every periodic task.
        autodiscover_modules("tasks")

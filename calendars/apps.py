from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "calendars"
    verbose_name = "Other calendars"

    def ready(self) -> None:
        from calendars import tasks  # noqa: F401  (registers the periodic refresh)

from django.apps import AppConfig, apps
from django.core.management import call_command
from django.db.models.signals import post_migrate


def _ensure_cache_table(using: str = "default", **kwargs) -> None:
    # createcachetable is idempotent and does nothing for Redis: every `migrate` (make run,
    # the test database, a deploy) leaves the database cache ready, whatever CACHE_URL said before.
    call_command("createcachetable", database=using, verbosity=0)


class DrakoConfig(AppConfig):
    """The project's own wiring: system checks, error reports, and the database cache's table."""

    name = "drako"
    verbose_name = "DRAKO"

    def ready(self) -> None:
        from drako import checks  # noqa: F401  (registers the checks)
        from drako.sentry import sentry_init

        sentry_init()  # every process: web nodes, workers, management commands

        # post_migrate is only sent for apps with models; accounts is migrated on every install.
        post_migrate.connect(
            _ensure_cache_table, sender=apps.get_app_config("accounts"), dispatch_uid="cache-table"
        )

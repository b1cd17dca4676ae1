from django.contrib import admin
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from workers.models import PeriodicTaskState
from workers.retries import ATTEMPT_KWARG


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PeriodicTaskState)
class PeriodicTaskStateAdmin(ReadOnlyAdmin):
    list_display = ("name", "every", "last_period_start", "last_enqueued_at", "last_result_id")
    search_fields = ("name",)
    readonly_fields = list_display


# The backend's own admin, with each attempt's error class in the list so a failing task stands
# out without opening it (the traceback is on its page).
admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    list_display = (*DBTaskResultAdmin.list_display, "attempt", "exception_class_path")
    list_filter = ("status", "queue_name", "task_path")
    search_fields = ("task_path", "id")

    @admin.display(description="attempt")
    def attempt(self, obj: DBTaskResult) -> int:
        return obj.args_kwargs.get("kwargs", {}).get(ATTEMPT_KWARG, 1)

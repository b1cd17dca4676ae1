from django.db import models


class PeriodicTaskState(models.Model):
    """One row per periodic task: the last period enqueued, which racing workers claim."""

    name = models.CharField(max_length=255, unique=True, help_text="The task's import path.")
    every = models.DurationField(null=True)
    last_period_start = models.DateTimeField(null=True)
    last_enqueued_at = models.DateTimeField(null=True)
    last_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "periodic task"

    def __str__(self) -> str:
        return self.name

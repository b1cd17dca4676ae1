from django.db import models


class RateCounter(models.Model):
    """One fixed window's count of attempts for a rate-limited key (drako/counters.py)."""

    name = models.CharField(primary_key=True, max_length=100)
    hits = models.IntegerField()
    # Milliseconds since the epoch: an integer compares the same in one SQL statement on every
    # database, where a datetime's storage differs.
    resets_at = models.BigIntegerField(db_index=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.hits}"

from django.core.management.base import BaseCommand
from django.utils import timezone

from conversations.sweep import conversation_sweep


class Command(BaseCommand):
    help = (
        "Ends conversations left open past their time limit (at Tavus too), marks starts that "
        "never finished as failed, and fetches transcripts that never arrived by webhook. The "
        "worker (manage.py run_worker) already runs this every minute; no cron line is needed."
    )

    def handle(self, *args, **options):
        result = conversation_sweep(now=timezone.now())
        self.stdout.write(
            f"ended={result.ended} failed_starts={result.failed_starts} "
            f"transcripts_fetched={result.transcripts} errors={len(result.errors)}"
        )
        for error in result.errors:
            self.stderr.write(error)

from django.core.management.base import BaseCommand

from schedules.grid import placement_css


class Command(BaseCommand):
    help = (
        "Writes the week grid's placement classes (static/css/grid-placement.css) from the grid's "
        "own constants: run it after changing ROW_MINUTES. A test fails while the file differs."
    )

    def handle(self, *args, **options):
        self.stdout.write(placement_css(), ending="")

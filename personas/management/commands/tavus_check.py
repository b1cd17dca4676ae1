from django.core.management.base import BaseCommand, CommandError

from personas.services import persona_get_default
from personas.services.check import Check, smoke_conversation, tavus_check


class Command(BaseCommand):
    help = (
        "Checks what a real call needs at Tavus: the API key, the default replica, each "
        "persona as Tavus holds it, the tools registry, the documents, and DRAKO_PUBLIC_URL. "
        "One line per check; exit status 1 when any fails. Changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--smoke",
            action="store_true",
            help="Also create and end a test_mode conversation with the default persona "
            "(no replica joins, nothing is billed).",
        )

    def handle(self, *args, smoke: bool = False, **options):
        checks = tavus_check()
        if smoke:
            persona = persona_get_default()
            checks.append(
                smoke_conversation(persona)
                if persona
                else Check("test conversation", False, "No default persona to call.")
            )
        for check in checks:
            style = self.style.SUCCESS if check.ok else self.style.ERROR
            self.stdout.write(style(check.line()))
        failed = sum(not check.ok for check in checks)
        if failed:
            raise CommandError(f"{failed} of {len(checks)} checks failed.", returncode=1)
        self.stdout.write(f"All {len(checks)} checks passed.")

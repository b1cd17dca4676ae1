import secrets

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.models import User

CREDENTIALS_FILE = settings.BASE_DIR / ".local-admin.txt"


class Command(BaseCommand):
    help = (
        "Local development only (DEBUG on): creates an 'admin' superuser on the first run and "
        "prints how to sign in; afterwards it reminds you where the credentials are."
    )

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="Where DRAKO is served.")

    def handle(self, *args, **options):
        admin_url = options["url"].rstrip("/") + "/admin/"
        if not settings.DEBUG:
            self.stdout.write("DEBUG is off: no local admin is created. Use createsuperuser.")
            return
        if User.objects.filter(is_superuser=True).exists():
            if CREDENTIALS_FILE.exists():
                self.stdout.write(
                    f"Admin sign-in at {admin_url}: credentials in {CREDENTIALS_FILE.name}"
                )
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username="admin", password=password, email="")
        CREDENTIALS_FILE.write_text(f"username: admin\npassword: {password}\n")
        CREDENTIALS_FILE.chmod(0o600)
        self.stdout.write(
            self.style.SUCCESS(
                "\nCreated a local admin account.\n"
                f"  Sign in at {admin_url} as 'admin' with password: {password}\n"
                f"  (saved in {CREDENTIALS_FILE.name}, which git ignores)\n"
            )
        )

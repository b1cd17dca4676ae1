import pytest
from django.core.management import call_command

from accounts.management.commands import bootstrap_local_admin
from accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def credentials_file(tmp_path, monkeypatch):
    path = tmp_path / ".local-admin.txt"
    monkeypatch.setattr(bootstrap_local_admin, "CREDENTIALS_FILE", path)
    return path


def test_first_run_creates_an_admin_and_says_how_to_sign_in(settings, credentials_file, capsys):
    settings.DEBUG = True
    call_command("bootstrap_local_admin", "--url", "http://127.0.0.1:8020")
    out = capsys.readouterr().out
    password = credentials_file.read_text().split("password: ")[1].strip()
    assert "http://127.0.0.1:8020/admin/" in out and password in out
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password)
    call_command("bootstrap_local_admin")
    assert User.objects.filter(is_superuser=True).count() == 1


def test_never_creates_an_admin_with_debug_off(settings, credentials_file):
    settings.DEBUG = False
    call_command("bootstrap_local_admin")
    assert not User.objects.exists()
    assert not credentials_file.exists()

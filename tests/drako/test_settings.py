"""Production settings: refuse to start half-configured, and pass Django's deploy checklist."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROD_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "a" * 20 + "-production-secret-key-with-enough-entropy-0123456789",
    "ALLOWED_HOSTS": "drako.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://drako.example.com",
    "DATABASE_URL": "sqlite:////tmp/drako-deploy-check.sqlite3",
    # Production sends mail (password resets); unset, Django's deploy check says none would go.
    "EMAIL_URL": "smtp+tls://drako:secret@mail.example.com:587",
}


def _run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in PROD_ENV and k != "DJANGO_SETTINGS_MODULE"
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_no_warnings_under_production_settings():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PROD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_refuses_to_start_without_required_production_setting(missing):
    env = {k: v for k, v in PROD_ENV.items() if k != missing}
    result = _run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert f"{missing} is not set" in result.stderr


def test_debug_mode_starts_without_secret_key():
    result = _run(
        ["manage.py", "check"], {"DEBUG": "true", "DATABASE_URL": PROD_ENV["DATABASE_URL"]}
    )
    assert result.returncode == 0, result.stderr


def test_healthz_answers_503_when_the_database_is_unreachable():
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(r.status_code, json.loads(r.content)['database'])"
    )
    env = {
        **PROD_ENV,
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        "DJANGO_SETTINGS_MODULE": "drako.settings",
    }
    result = _run(["-c", script], env)
    assert result.stdout.strip() == "503 unreachable", result.stderr

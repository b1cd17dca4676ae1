"""scripts/healthcheck.py, the image's HEALTHCHECK: 0 when /healthz answers 200, else 1."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "healthcheck.py"


def _run(port: int, allowed_hosts: str) -> subprocess.CompletedProcess:
    env = os.environ | {"GUNICORN_BIND": f"0.0.0.0:{port}", "ALLOWED_HOSTS": allowed_hosts}
    return subprocess.run(
        [sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=30
    )


@pytest.mark.django_db(transaction=True)
def test_healthcheck_passes_on_a_live_node_naming_an_allowed_host(live_server, settings):
    settings.ALLOWED_HOSTS = ["drako.example.com"]
    port = int(live_server.url.rsplit(":", 1)[1])
    assert _run(port, "*.wild.example,drako.example.com").returncode == 0
    # A Host the node refuses is a failed check, not a pass.
    assert _run(port, "other.example.com").returncode == 1


def test_healthcheck_fails_when_nothing_listens():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = _run(port, "localhost")
    assert result.returncode == 1
    assert "healthz:" in result.stderr

"""A slow Tavus stalls nothing else: 20 conversation starts against a Tavus that hangs leave
/healthz and a tool call answering, under gunicorn as deployed (gthread, 1 worker x 8 threads).

Without DRAKO's bound on requests in flight to Tavus, the hung starts hold every thread until
Tavus's read timeout (set to 5 minutes here), and the checks below never get an answer.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.fake_tavus import FakeTavus

ROOT = Path(__file__).resolve().parents[2]
STARTS = 20
IN_FLIGHT = 3
# Guards against a deadlocked test, never a measure of speed: generous, and only hit on failure.
GUARD_SECONDS = 60

SEED = """
import json, django
django.setup()
from accounts.services import user_token_create
from accounts.models import User
from conversations import services
from personas.models import Persona
from personas.services import persona_sync
persona = Persona.objects.create(name="DRAKO", system_prompt="You are DRAKO.", is_default=True)
persona_sync(persona=persona)
tokens = []
for i in range(21):
    user = User.objects.create_user(username=f"u{i}", password="x" * 12, time_zone="Europe/Berlin")
    tokens.append(user_token_create(user=user))
live = services.conversation_start(user=User.objects.get(username="u0"), persona=persona)
print(json.dumps({"tokens": tokens, "live": live.conversation.pk}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _call(method: str, url: str, token: str | None = None, body: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    try:
        with urllib.request.urlopen(request, timeout=GUARD_SECONDS) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@pytest.fixture
def deployed(tmp_path):
    """gunicorn on a fresh SQLite file, talking to a fake Tavus on loopback."""
    fake = FakeTavus().start()
    fake.max_concurrent = 1000
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "drako.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'drako.sqlite3'}",
        "DEBUG": "false",
        "SECRET_KEY": "slow-tavus-test-only-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "TAVUS_API_URL": fake.url,
        "TAVUS_API_KEY": fake.api_key,
        "TAVUS_READ_TIMEOUT": "300",
        "TAVUS_MAX_IN_FLIGHT": str(IN_FLIGHT),
        "CONVERSATION_START_RATE_LIMIT": "1000",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "8",
    }
    env.pop("DRAKO_PUBLIC_URL", None)
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput"], ["createcachetable"]):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, capture_output=True)
    seeded = subprocess.run(
        [sys.executable, "-c", SEED], cwd=ROOT, env=env, check=True, capture_output=True
    )
    world = json.loads(seeded.stdout.decode().strip().splitlines()[-1])
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "drako.wsgi", "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(600):  # until gunicorn answers (or dies)
            assert server.poll() is None, "gunicorn exited"
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1):
                    break
            except OSError:
                threading.Event().wait(0.1)  # waiting for a process to listen, not for time
        yield base, world, fake
    finally:
        fake.release()
        server.terminate()
        server.wait(timeout=30)
        fake.stop()


def test_twenty_hanging_starts_leave_health_and_tool_calls_answering(deployed):
    base, world, fake = deployed
    fake.requests.clear()
    fake.hang("/conversations")  # Tavus accepts the connection and never answers
    answers: dict[int, tuple[int, dict]] = {}

    def start(i: int) -> None:
        answers[i] = _call("POST", f"{base}/api/conversations/", world["tokens"][i], {})

    starters = [threading.Thread(target=start, args=(i,)) for i in range(1, STARTS + 1)]
    for thread in starters:
        thread.start()
    # The refused starts come back at once; the ones holding Tavus's slots stay hung.
    fake.wait_for_requests(IN_FLIGHT, timeout=GUARD_SECONDS)

    health = _call("GET", f"{base}/healthz")
    tool = _call(
        "POST",
        f"{base}/api/conversations/{world['live']}/tool-calls/",
        world["tokens"][0],
        {"name": "list_schedule_events", "arguments": {"when": "today"}, "tool_call_id": "x1"},
    )
    assert health[0] == 200
    assert tool[0] == 200 and tool[1]["ok"] is True
    creates = [r for r in fake.requests if r.method == "POST"]
    assert len(creates) == IN_FLIGHT  # never more requests to Tavus than the bound

    fake.release()
    for thread in starters:
        thread.join(timeout=GUARD_SECONDS)
    assert len(answers) == STARTS
    # Every start answered: the ones that held a slot with their call, the rest with a 503
    # in words (a few late ones may have found a slot free after the release).
    assert {code for code, _body in answers.values()} <= {201, 503}
    assert sum(code == 201 for code, _body in answers.values()) >= IN_FLIGHT
    busy = [body for code, body in answers.values() if code == 503]
    assert all("try again in a moment" in body["detail"] for body in busy)

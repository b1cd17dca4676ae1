"""/readyz: the database, the shared cache, the task queue and a live worker, in words."""

import socket
from datetime import timedelta

import pytest
import redis
from django.utils import timezone

from workers.models import PeriodicTaskState

REDIS_URL = "redis://127.0.0.1:6379/4"


def _closed_port() -> int:
    """A loopback port nothing listens on: connecting is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def worker_ticked(db):
    """A worker enqueued a periodic task a minute ago (what every worker does each minute)."""
    return PeriodicTaskState.objects.create(
        name="conversations.tasks.conversation_sweep_task",
        last_enqueued_at=timezone.now() - timedelta(minutes=1),
    )


@pytest.mark.django_db
def test_readyz_is_ready_when_every_part_answers(client, worker_ticked):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "cache": "ok", "queue": "ok", "workers": "ok"},
    }
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_without_a_recent_worker_tick_is_503_and_says_so(client, settings):
    settings.READYZ_WORKER_MAX_AGE_SECONDS = 300
    PeriodicTaskState.objects.create(
        name="conversations.tasks.conversation_sweep_task",
        last_enqueued_at=timezone.now() - timedelta(minutes=6),
    )
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["workers"] == "no worker has ticked in the last 300 seconds"
    assert checks["database"] == checks["cache"] == checks["queue"] == "ok"


@pytest.mark.django_db
def test_readyz_with_no_worker_ever_is_503(client):
    assert client.get("/readyz").status_code == 503


@pytest.mark.django_db
def test_readyz_leaves_workers_out_when_told_to(client, settings):
    settings.READYZ_WORKER_MAX_AGE_SECONDS = 0
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["workers"] == "not checked"


@pytest.mark.django_db
def test_readyz_with_the_redis_queue_down_is_503_and_keeps_its_password(
    client, settings, worker_ticked
):
    settings.TASKS_URL = f"redis://:queue-password-123@127.0.0.1:{_closed_port()}/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["queue"] == "unreachable"
    assert b"queue-password-123" not in response.content
    assert b"127.0.0.1" not in response.content


@pytest.mark.django_db
def test_readyz_with_the_redis_cache_down_is_503(client, settings, worker_ticked):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
        },
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok",
        "cache": "unreachable",
        "queue": "ok",
        "workers": "ok",
    }


@pytest.mark.django_db
def test_readyz_with_redis_cache_and_queue_up_is_ready(client, settings, worker_ticked):
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    settings.TASKS_URL = REDIS_URL
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        },
    }
    response = client.get("/readyz")
    assert response.status_code == 200, response.content


def test_readyz_refuses_writes(client):
    assert client.post("/readyz").status_code == 405

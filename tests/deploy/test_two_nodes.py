"""DRAKO on several machines, proven on this one: two web nodes, two workers, one of the rest.

Two gunicorn instances (the project's gunicorn.conf.py, two processes each) on two loopback ports
behind the test's round-robin router, two `manage.py run_worker` processes, one PostgreSQL
database, one Redis for the cache (CACHE_URL) and one for the task queue (TASKS_URL), and the
fake Tavus. Nothing is shared but what the README says must be: SECRET_KEY, DATABASE_URL,
CACHE_URL and TASKS_URL. Needs PostgreSQL (the suite's DATABASE_URL) and Redis; skipped, with the
reason, without them (a failure with DRAKO_REQUIRE_NODES=1, as in CI). Redis databases:
DRAKO_TEST_NODES_CACHE_URL and DRAKO_TEST_NODES_TASKS_URL (default 4 and 5 on 127.0.0.1:6379),
flushed before and after.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
import requests
from django.conf import settings as django_settings
from prometheus_client.parser import text_string_to_metric_families

from tests.deploy.router import RoundRobinRouter
from tests.fake_tavus import FakeTavus

BASE = Path(__file__).resolve().parents[2]
CACHE_URL = os.environ.get("DRAKO_TEST_NODES_CACHE_URL", "redis://127.0.0.1:6379/4")
TASKS_URL = os.environ.get("DRAKO_TEST_NODES_TASKS_URL", "redis://127.0.0.1:6379/5")
START_DEADLINE_SECONDS = 90
PASSWORD = "correct horse battery staple 77"
METRICS_TOKEN = "nodes-metrics-token-0123456789"
LOGIN_RATE_LIMIT = 3
PRUNE_TASK = "workers.tasks.task_results_prune"


# --- The cluster ---------------------------------------------------------------------------------


def _poll(what: str, ready: Callable[[], bool], deadline_seconds: float = 30) -> None:
    """Waits until `ready()` holds, checking every 0.1 s, or fails naming `what`."""
    deadline = time.monotonic() + deadline_seconds
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {deadline_seconds} s")
        time.sleep(0.1)


def _answers(url: str, status: int = 200) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == status
    except requests.RequestException:  # not listening yet, or still booting its processes
        return False


@dataclass
class Cluster:
    nodes: dict[str, str]  # name -> base URL
    router: RoundRobinRouter
    tavus: FakeTavus
    cache: redis.Redis
    tasks: redis.Redis
    database_url: str
    token: str
    started: datetime
    processes: list[subprocess.Popen] = field(default_factory=list)
    mail: list = field(default_factory=list)  # what the loopback SMTP server received
    env: dict = field(default_factory=dict)  # every node's and worker's environment

    @property
    def url(self) -> str:
        return self.router.url

    def api(self) -> requests.Session:
        session = requests.Session()
        session.headers["Authorization"] = f"Token {self.token}"
        return session

    def sql(self, query: str, *params) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.database_url) as connection:
            return connection.execute(query, params).fetchall()


def _skip(reason: str) -> None:
    """Skips, with the reason; CI sets DRAKO_REQUIRE_NODES=1, where a skip would hide a gap."""
    if os.environ.get("DRAKO_REQUIRE_NODES") == "1":
        pytest.fail(f"DRAKO_REQUIRE_NODES=1 but {reason}")
    pytest.skip(reason)


def _database_or_skip() -> dict:
    database = django_settings.DATABASES["default"]
    if "postgresql" not in database["ENGINE"]:
        _skip("several nodes share one PostgreSQL database: run with DATABASE_URL=postgres")
    return database


def _redis_or_skip(url: str) -> redis.Redis:
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.ConnectionError:
        _skip(f"several nodes share Redis: none answers at {url}")
    return client


def _admin_url(database: dict, name: str) -> str:
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    host, port = database.get("HOST") or "127.0.0.1", database.get("PORT") or 5432
    return f"postgres://{database['USER']}{password}@{host}:{port}/{name}"


def _manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}"
    return done.stdout


def _spawn(cluster: Cluster, command: list[str], env: dict, log: Path) -> None:
    with log.open("w") as out:
        cluster.processes.append(
            subprocess.Popen(
                command,
                cwd=BASE,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _smtp_server(received: list):
    """A real SMTP server on loopback (aiosmtpd), where every node's and worker's mail goes."""
    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=_free_port())
    controller.start()
    return controller


def _environment(database_url: str, tavus: FakeTavus, public_url: str, static: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    return env | {
        "DJANGO_SETTINGS_MODULE": "drako.settings",
        "DEBUG": "false",
        "SECRET_KEY": "two-nodes-test-key-" + "k" * 40,  # one key for every node
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CSRF_TRUSTED_ORIGINS": public_url,
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "DATABASE_URL": database_url,
        "CACHE_URL": CACHE_URL,
        "TASKS_URL": TASKS_URL,
        "STATIC_ROOT": str(static),
        "TAVUS_API_URL": tavus.url,
        "TAVUS_API_KEY": tavus.api_key,
        "DRAKO_PUBLIC_URL": public_url,
        "LOGIN_RATE_LIMIT": str(LOGIN_RATE_LIMIT),
        "METRICS_TOKEN": METRICS_TOKEN,
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "4",
        "GUNICORN_ACCESS_LOG": "false",
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    database = _database_or_skip()
    cache, tasks = _redis_or_skip(CACHE_URL), _redis_or_skip(TASKS_URL)
    import psycopg

    name = f"drako_nodes_{os.getpid()}"
    admin = _admin_url(database, "postgres")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    cache.flushdb()
    tasks.flushdb()
    tmp = tmp_path_factory.mktemp("nodes")
    tavus = FakeTavus().start()
    ports = {"a": _free_port(), "b": _free_port()}
    router = RoundRobinRouter(ports).start()
    env = _environment(_admin_url(database, name), tavus, router.url, tmp / "static")
    nodes = {node: f"http://127.0.0.1:{port}" for node, port in ports.items()}
    cluster = Cluster(
        nodes, router, tavus, cache, tasks, env["DATABASE_URL"], "", datetime.now(UTC)
    )
    smtp = _smtp_server(cluster.mail)
    env["EMAIL_URL"] = f"smtp://127.0.0.1:{smtp.port}"
    cluster.env = env
    try:
        _manage(env, "migrate", "--noinput")
        _manage(env, "collectstatic", "--noinput")
        _manage(env, "ensure_default_persona")
        cluster.token = _manage(env, "shell", "-c", _CREATE_USER).strip().splitlines()[-1]
        for node, port in ports.items():
            command = [sys.executable, "-m", "gunicorn", "drako.wsgi", "-c", "gunicorn.conf.py"]
            node_env = env | {"GUNICORN_BIND": f"127.0.0.1:{port}"}
            _spawn(cluster, command, node_env, tmp / f"web-{node}.log")
        for worker in ("1", "2"):
            command = [sys.executable, "manage.py", "run_worker", "--interval", "0.5"]
            _spawn(cluster, command, env, tmp / f"worker-{worker}.log")
        _wait_until_ready(cluster)
        yield cluster
    finally:
        _stop(cluster.processes)
        smtp.stop()
        router.stop()
        tavus.stop()
        cache.flushdb()
        tasks.flushdb()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_CREATE_USER = (
    "from accounts.models import User; from accounts.services import user_token_create; "
    f"user = User.objects.create_user(username='alice', email='alice@example.com', "
    f"password='{PASSWORD}', time_zone='Europe/Berlin', email_verified=True); "
    "print(user_token_create(user=user))"
)


def _wait_until_ready(cluster: Cluster) -> None:
    from rq import Worker

    for process in cluster.processes:
        assert process.poll() is None, f"{process.args} exited with {process.returncode}"
    for node, base in cluster.nodes.items():
        _poll(f"node {node} /healthz", lambda b=base: _answers(f"{b}/healthz"), 60)
    _poll("two RQ workers registered", lambda: len(Worker.all(connection=cluster.tasks)) == 2)
    for node, base in cluster.nodes.items():  # readiness includes "a worker ticked"
        _poll(f"node {node} /readyz", lambda b=base: _answers(f"{b}/readyz"))


# --- What several nodes must share ---------------------------------------------------------------


def _sign_in(session: requests.Session, base: str, password: str) -> requests.Response:
    form = session.get(f"{base}/accounts/login/", timeout=10)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    return session.post(
        f"{base}/accounts/login/",
        data={"csrfmiddlewaretoken": csrf, "username": "alice", "password": password},
        timeout=10,
        allow_redirects=False,
    )


def test_both_nodes_are_ready_and_the_router_takes_turns(cluster):
    for base in cluster.nodes.values():
        response = requests.get(f"{base}/readyz", timeout=10)
        assert response.json() == {
            "status": "ready",
            "checks": {"database": "ok", "cache": "ok", "queue": "ok", "workers": "ok"},
        }
    served_by = [requests.get(f"{cluster.url}/healthz", timeout=10).headers["X-Test-Node"]]
    served_by.append(requests.get(f"{cluster.url}/healthz", timeout=10).headers["X-Test-Node"])
    assert sorted(served_by) == ["a", "b"]


def test_a_user_signed_in_on_one_node_is_signed_in_on_the_other(cluster):
    session = requests.Session()
    signed_in = _sign_in(session, cluster.nodes["a"], PASSWORD)
    assert signed_in.status_code == 302, signed_in.text[-500:]
    schedule = signed_in.headers["Location"]
    for base in (cluster.nodes["b"], cluster.nodes["a"]):
        page = session.get(f"{base}{schedule}", timeout=10, allow_redirects=False)
        assert page.status_code == 200
        assert 'action="/accounts/logout/"' in page.text  # the signed-in header
    stranger = requests.get(f"{cluster.nodes['b']}{schedule}", timeout=10, allow_redirects=False)
    assert stranger.status_code == 302  # to the sign-in page: it is the session that counts


def test_the_sign_in_limit_holds_across_both_nodes(cluster):
    nodes = [cluster.nodes["a"], cluster.nodes["b"]]
    _forget_sign_in_attempts(cluster)
    try:
        for attempt in range(LOGIN_RATE_LIMIT):
            refused = _sign_in(requests.Session(), nodes[attempt % 2], "wrong password")
            assert refused.status_code == 200
            assert "Too many sign-in attempts" not in refused.text
        for base in nodes:  # the limit is used up on both, though each saw fewer attempts
            throttled = _sign_in(requests.Session(), base, PASSWORD)
            assert throttled.status_code == 429
            assert "Too many sign-in attempts from your address" in throttled.text
    finally:
        _forget_sign_in_attempts(cluster)


def _forget_sign_in_attempts(cluster: Cluster) -> None:
    for key in cluster.cache.scan_iter(match="*ratelimit:signin-*"):
        cluster.cache.delete(key)


def _start_conversation(cluster: Cluster, base: str) -> dict:
    api = cluster.api()
    response = api.post(f"{base}/api/conversations/", json={}, timeout=15)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_conversation_started_on_one_node_is_ended_on_the_other(cluster):
    started = _start_conversation(cluster, cluster.nodes["a"])
    assert started["status"] != "ended"
    b = cluster.nodes["b"]
    ended = cluster.api().post(f"{b}/api/conversations/{started['id']}/end/", timeout=15)
    assert ended.status_code == 200, ended.text
    assert ended.json()["status"] == "ended"
    end_path = f"/v2/conversations/{started['tavus_conversation_id']}/end"
    assert [r.path for r in cluster.tavus.requests].count(end_path) == 1
    a = cluster.nodes["a"]
    seen_on_a = cluster.api().get(f"{a}/api/conversations/{started['id']}/", timeout=15)
    assert seen_on_a.json()["status"] == "ended"


def test_a_webhook_delivered_to_both_nodes_is_stored_once(cluster):
    started = _start_conversation(cluster, cluster.nodes["b"])
    tavus_id = started["tavus_conversation_id"]
    callback_url = cluster.tavus.conversations[tavus_id]["callback_url"]
    callback_path = callback_url.removeprefix(cluster.url)
    payload = cluster.tavus.webhook(tavus_id, "system.replica_joined")
    barrier = threading.Barrier(2)
    statuses = {}

    def deliver(node: str) -> None:
        barrier.wait(timeout=10)  # both deliveries race, as Tavus's retries can
        reply = requests.post(f"{cluster.nodes[node]}{callback_path}", json=payload, timeout=15)
        statuses[node] = reply.status_code

    threads = [threading.Thread(target=deliver, args=(node,)) for node in cluster.nodes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    try:
        assert statuses == {"a": 200, "b": 200}
        rows = cluster.sql(
            "SELECT count(*) FROM conversations_conversationevent e "
            "JOIN conversations_conversation c ON c.id = e.conversation_id "
            "WHERE c.tavus_conversation_id = %s AND e.event_type = %s",
            tavus_id,
            "system.replica_joined",
        )
        assert rows == [(1,)]
    finally:
        a = cluster.nodes["a"]
        cluster.api().post(f"{a}/api/conversations/{started['id']}/end/", timeout=15)


def _prune_jobs(cluster: Cluster) -> list[bytes]:
    """Every job of the hourly prune task the workers enqueued (RQ keeps finished ones)."""
    return [
        key
        for key in cluster.tasks.scan_iter(match="rq:job:*")
        if key.count(b":") == 2
        and PRUNE_TASK in (cluster.tasks.hget(key, "description") or b"").decode()
    ]


def test_a_periodic_task_is_enqueued_once_by_two_workers(cluster):
    # Both workers tick at start and every turn after; the hourly prune task's current period
    # is claimed by exactly one of them (the database was new, so nobody had claimed it before).
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    query = (
        "SELECT last_period_start, last_result_id FROM workers_periodictaskstate "
        "WHERE name = %s AND last_period_start IS NOT NULL"
    )
    _poll("the prune task claimed", lambda: bool(cluster.sql(query, PRUNE_TASK)))
    rows = cluster.sql(query, PRUNE_TASK)
    assert len(rows) == 1
    _poll("its job in Redis", lambda: f"rq:job:{rows[0][1]}".encode() in _prune_jobs(cluster))
    periods = 1 if cluster.started >= hour else 2  # the test may have begun in the last hour
    jobs = _prune_jobs(cluster)
    assert 1 <= len(jobs) <= periods, jobs
    assert f"rq:job:{rows[0][1]}".encode() in jobs


_ENQUEUE_REMINDER_RUNS = (
    "from schedules.tasks import reminders_send_task as send; "
    "print(send.enqueue().id); print(send.enqueue().id)"
)


def _finished(cluster: Cluster, job_id: str) -> bool:
    return cluster.tasks.hget(f"rq:job:{job_id}", "status") in (b"finished", b"failed")


def test_a_reminder_is_sent_once_by_two_workers(cluster):
    # An event made through the router, its 10-minute reminder due now; then two runs of the
    # reminder task queued at once, one for each worker, racing (and the every-minute run too).
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)
    event = cluster.api().post(
        f"{cluster.url}/api/events/",
        json={
            "title": "Board call (two nodes)",
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
            "reminders": [10],
        },
        timeout=15,
    )
    assert event.status_code == 201, event.text
    jobs = _manage(cluster.env, "shell", "-c", _ENQUEUE_REMINDER_RUNS).split()[-2:]

    def mails() -> list:
        return [m for m in cluster.mail if b"Board call (two nodes)" in m.content]

    _poll("both reminder runs finished", lambda: all(_finished(cluster, j) for j in jobs), 60)
    _poll("the reminder mailed", lambda: bool(mails()), 60)  # by one of them, or the periodic run
    statuses = {cluster.tasks.hget(f"rq:job:{job}", "status") for job in jobs}
    assert statuses == {b"finished"}
    assert len(mails()) == 1, [m.content[:200] for m in cluster.mail]
    [mail] = mails()
    assert mail.rcpt_tos == ["alice@example.com"]


def _scrape(base: str) -> dict:
    response = requests.get(
        f"{base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=10
    )
    assert response.status_code == 200
    return {
        (sample.name, *sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def test_metrics_add_up_every_gunicorn_process_of_a_node(cluster):
    a = cluster.nodes["a"]
    key = (
        "django_http_requests_latency_seconds_by_view_method_count",
        ("method", "GET"),
        ("view", "healthz"),
    )
    before = _scrape(a).get(key, 0)
    # Separate connections: gunicorn's two processes take them as they come.
    for _ in range(20):
        assert requests.get(f"{a}/healthz", timeout=10).status_code == 200
    assert _scrape(a)[key] - before == 20
    assert requests.get(f"{a}/metrics", timeout=10).status_code == 401

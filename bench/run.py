"""`make bench`: DRAKO under gunicorn on PostgreSQL (loopback), measured; writes bench/RESULTS.md.

Order: fresh database → migrate, collectstatic, seed → fake Tavus + gunicorn (twice: the database
cache, and Redis at BENCH_REDIS_URL) → tool-call latency in rounds beside the floors → round trips
per tool call and per page, counted on the wire → webhook ingestion → isolation from a hung Tavus
→ context build → a 60 s load run → RESULTS.md. Every process it starts is stopped in `finally`.
"""

import json
import logging
import os
import platform
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.wire import REDIS_URL

BASE = Path(__file__).resolve().parent.parent
OUT = BASE / "bench" / "out"
PG_ADMIN = os.environ.get(
    "BENCH_PG_ADMIN", "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
)
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/drako_bench")
DB_NAME = PG_URL.rsplit("/", 1)[1]
HOST = "127.0.0.1"
SERVER_START_TIMEOUT = 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _fresh_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def _environment(port: int, tavus_url: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-insecure-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        # Plain HTTP on loopback: no redirect to https, cookies without Secure.
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "DATABASE_URL": PG_URL,
        "TAVUS_API_URL": tavus_url,
        "TAVUS_API_KEY": "test-key",
        "DRAKO_PUBLIC_URL": f"http://{HOST}:{port}",
        # The bench sends thousands of calls per user; the limiter still runs, it never trips.
        "TOOL_CALL_RATE_LIMIT": "100000000",
        "CONVERSATION_START_RATE_LIMIT": "1000",
        "GUNICORN_BIND": f"{HOST}:{port}",
    }


class Server:
    """gunicorn (the project's gunicorn.conf.py) in its own process group. Workers are not
    recycled mid-run (--max-requests 0 overrides the file's 2000): a fresh worker's first
    requests (imports, connections, template compiling) would land inside a measurement."""

    def __init__(self, port: int, env: dict[str, str], log: str = "gunicorn.log"):
        self.port, self.env = port, env
        self.proc: subprocess.Popen | None = None
        self.log = OUT / log

    def workers(self) -> list[int]:
        """The master's worker processes, by pid (from /proc)."""
        found = []
        for entry in Path("/proc").iterdir():
            try:
                stat = (entry / "stat").read_text() if entry.name.isdigit() else ""
            except OSError:
                continue
            if stat and int(stat[stat.rindex(")") + 2 :].split()[1]) == self.proc.pid:
                found.append(int(entry.name))
        return sorted(found)

    def start(self) -> None:
        cmd = [sys.executable, "-m", "gunicorn", "drako.wsgi", "-c", "gunicorn.conf.py"]
        cmd += ["--max-requests", "0", "--max-requests-jitter", "0"]
        with self.log.open("w") as log:
            self.proc = subprocess.Popen(
                cmd,
                cwd=BASE,
                env=os.environ | self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}")
            try:
                with urllib.request.urlopen(f"http://{HOST}:{self.port}/bench/floor", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {SERVER_START_TIMEOUT} s")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=25)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(BASE))
    from tests.fake_tavus import FakeTavus

    _fresh_database()
    fake = FakeTavus().start()
    fake.max_concurrent = 10_000
    port = _free_port()
    env = _environment(port, fake.url)
    os.environ.update(env)
    server = Server(port, env)
    # The same app with its cache (rate limits included) on Redis, as production runs it.
    redis_port = _free_port() if _redis_up() else None
    redis_env = _environment(redis_port, fake.url) | {"CACHE_URL": REDIS_URL} if redis_port else {}
    redis_server = Server(redis_port, redis_env, "gunicorn-redis.log") if redis_port else None
    try:
        import django

        django.setup()
        logging.getLogger().setLevel(logging.WARNING)  # the runner's own calls; gunicorn logs INFO
        from bench import phases

        phases.prepare()
        servers = [s for s in (server, redis_server) if s]
        for s in servers:
            s.start()
        workers = [s.workers() for s in servers]
        load_start = os.getloadavg()[0]
        only = [name for name in os.environ.get("BENCH_ONLY", "").split(",") if name]
        results = phases.run_all(
            port=port, redis_port=redis_port, fake=fake, server_pid=server.proc.pid, only=only
        )
        results["load_average"] = {"start": load_start, "end": os.getloadavg()[0]}
        results["workers"] = {
            "start": workers,
            "end": [s.workers() for s in servers],
            "redis_url": REDIS_URL if redis_port else None,
        }
        if only:  # a partial run, while working on one figure: printed, RESULTS.md untouched
            print(json.dumps(results, indent=1, default=str))
            return 0
        results["machine"] = machine()
        (OUT / "results.json").write_text(json.dumps(results, indent=1, default=str))
        from bench.report import write

        path = write(json.loads((OUT / "results.json").read_text()))
        print(f"bench: wrote {path}")
        return 0
    finally:
        server.stop()
        if redis_server:
            redis_server.stop()
        fake.stop()


def _redis_up() -> bool:
    """Redis answers at BENCH_REDIS_URL; its database is emptied (the bench's own)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).flushdb()
    except redis.RedisError as exc:
        print(f"bench: no Redis at {REDIS_URL} ({exc}); the Redis rows are left out", flush=True)
        return False
    return True


def machine() -> dict:
    from django.db import connection

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    import django
    import gunicorn
    import psycopg
    import rest_framework

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "drf": rest_framework.VERSION,
        "gunicorn": gunicorn.__version__,
        "psycopg": psycopg.__version__,
        "postgresql": pg,
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


if __name__ == "__main__":
    sys.exit(main())

"""The week page, timed against floors in the same run, optionally beside another checkout.

    .venv/bin/python -m bench.week_page [--base /path/to/other/checkout] [--rounds 15] [--n 20]

One user with a busy week (7 timed events a day, some overlapping, one collapsed into a group, 2
all-day events and a daily 15-minute series: 58 in the week) on a fresh PostgreSQL database
(`WEEK_BENCH_DATABASE_URL`, default postgres://postgres@127.0.0.1:5432/drako_weekbench). Each
checkout (this one, and `--base` if given) gets its own Python process, which renders pages
through Django's test client with production settings (DEBUG off, the bench's settings module).
The processes take turns in rounds; each round times, per checkout, `n` renders of a bare view
(`/bench/floor`), of `/healthz` and of the week page, so slow spells on a shared machine land on
every figure alike.
Printed: the median of the per-round medians with its p10-p90 across rounds, the week page ÷
the bare view per round, and (with --base) how much less time this checkout takes, per round.
Before timing, the two checkouts' pages (week, day, an event pointed out) are compared byte for
byte, CSRF tokens aside. Raw numbers:
bench/out/week_page.json.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
TREE = HERE.parent
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
PG_URL = os.environ.get(
    "WEEK_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/drako_weekbench"
)
ZONE = "Europe/Berlin"
# (local start hour, minute, minutes long): 11:30 is drawn indented over 11:00, and 11:10 would
# cover 11:00's title, so it collapses into an "+1 more" group.
DAY_PLAN = (
    (8, 0, 60), (9, 30, 30), (11, 0, 90), (11, 10, 20), (11, 30, 60), (14, 0, 60), (16, 0, 45)
)  # fmt: skip
ENDPOINTS = ("floor", "healthz", "week")
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def _environment() -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-insecure-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "DATABASE_URL": PG_URL,
        "PYTHONDONTWRITEBYTECODE": "1",
    }


# --- The worker: one checkout's Django, driven over stdin/stdout -----------------------------


def worker(tree: str, username: str, day: str) -> None:
    """Answers each JSON line: {"time": endpoint, "n": n}, {"html": 1} or {"queries": path}."""
    sys.path[0] = tree  # not this file's folder: the checkout's own bench package
    os.chdir(tree)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    paths = {
        "floor": "/bench/floor",
        "healthz": "/healthz",
        "week": f"/schedule/?view=week&date={day}",
    }
    for path in paths.values():  # warm: templates compiled, URL resolvers filled, connection open
        for _ in range(5):
            assert client.get(path).status_code == 200, path
    for line in sys.stdin:
        command = json.loads(line)
        if "time" in command:
            path, times, cpu = paths[command["time"]], [], []
            for _ in range(command["n"]):
                started, cpu_started = time.perf_counter(), time.thread_time()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.thread_time() - cpu_started) * 1000)
                assert response.status_code == 200
            answer = {"ms": times, "cpu": cpu}
        elif "html" in command:
            answer = {"html": client.get(command["html"]).content.decode()}
        else:
            with CaptureQueriesContext(connection) as ctx:
                status = client.get(command["queries"]).status_code
            answer = {"status": status, "queries": len(ctx.captured_queries)}
        print(json.dumps(answer), flush=True)


class Worker:
    def __init__(self, label: str, tree: Path, username: str, day: str):
        self.label = label
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "week_page.py"), "--worker", str(tree), username, day],
            cwd=tree,
            env=os.environ | _environment(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, command: dict) -> dict:
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the {self.label} worker exited")
        return json.loads(line)

    def stop(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


# --- The driver --------------------------------------------------------------------------------


def _fresh_database() -> None:
    import psycopg

    name = PG_URL.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _prepare(trees: list[Path]) -> tuple[str, str]:
    """Migrates and seeds with this checkout; collectstatic in each checkout (DEBUG is off)."""
    for tree in trees:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=tree,
            env=os.environ | _environment(),
            check=True,
        )
    os.environ.update(_environment())
    sys.path.insert(0, str(TREE))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return _seed()


def _seed() -> tuple[str, str]:
    from accounts.models import User
    from schedules import services
    from schedules.models import Event

    zone = ZoneInfo(ZONE)
    user = User.objects.create(username="week", password="!", time_zone=ZONE)
    today = datetime.now(zone).date()
    monday = today - timedelta(days=today.weekday())
    events = []
    for d in range(7):
        day = monday + timedelta(days=d)
        for i, (hour, minute, minutes) in enumerate(DAY_PLAN):
            start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
            events.append(
                Event(
                    owner=user,
                    title=f"Event {d}.{i}",
                    start=start.astimezone(UTC),
                    end=(start + timedelta(minutes=minutes)).astimezone(UTC),
                    location="Room 4" if i % 3 == 0 else "",
                    show_as=Event.ShowAs.FREE if i == 6 else Event.ShowAs.BUSY,
                )
            )
    for d in (1, 3):
        day = datetime(monday.year, monday.month, monday.day, tzinfo=UTC) + timedelta(days=d)
        events.append(
            Event(
                owner=user, title=f"Away {d}", start=day, end=day + timedelta(days=1), all_day=True
            )
        )
    Event.objects.bulk_create(events)
    # A daily series (its occurrences link to themselves), created through the service so the
    # page also shows its "Last change" box.
    standup = datetime(monday.year, monday.month, monday.day, 7, 30, tzinfo=zone)
    services.event_create(
        owner=user,
        title="Standup",
        start=standup,
        end=standup + timedelta(minutes=15),
        recurrence="FREQ=DAILY",
        allow_conflict=True,  # with the all-day events
        context=services.ChangeContext(actor=user),
    )
    return user.username, today.isoformat()


def _q(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(int(q / 100 * len(values)), len(values) - 1)]


def _spread(values: list[float]) -> dict:
    return {"median": statistics.median(values), "p10": _q(values, 10), "p90": _q(values, 90)}


def _same_pages(workers: list[Worker], path: str) -> bool:
    pages = [CSRF.sub(b"", w.ask({"html": path})["html"].encode()) for w in workers]
    return all(page == pages[0] for page in pages)


def _compared(day: str) -> list[str]:
    """The pages compared across checkouts: the week, a day, one event pointed out."""
    from schedules.models import Event

    event = Event.objects.filter(all_day=False).order_by("start").last()
    all_day = Event.objects.filter(all_day=True).first()
    return [
        f"/schedule/?view=week&date={day}",
        f"/schedule/?view=day&date={day}",
        f"/schedule/?view=week&date={day}&event={event.pk}",
        f"/schedule/?view=week&date={day}&event={all_day.pk}",
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", type=Path, help="another checkout, timed beside this one")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--n", type=int, default=20, help="renders per endpoint per round")
    args = parser.parse_args()
    trees = {"this": TREE} | ({"base": args.base.resolve()} if args.base else {})
    _fresh_database()
    username, day = _prepare(list(trees.values()))
    workers = [Worker(label, tree, username, day) for label, tree in trees.items()]
    try:
        # Pages drawn a moment apart can differ by the "now" line: one retry.
        same = all(_same_pages(workers, p) or _same_pages(workers, p) for p in _compared(day))
        far = (datetime.fromisoformat(day) + timedelta(days=700)).date().isoformat()
        queries = {
            w.label: {
                "busy week": w.ask({"queries": f"/schedule/?view=week&date={day}"})["queries"],
                "empty week": w.ask({"queries": f"/schedule/?view=week&date={far}"})["queries"],
            }
            for w in workers
        }
        rounds = []
        for r in range(args.rounds):
            turn = workers if r % 2 == 0 else workers[::-1]
            medians = {w.label: {} for w in workers}
            for endpoint in ENDPOINTS:
                for w in turn:
                    answer = w.ask({"time": endpoint, "n": args.n})
                    medians[w.label][endpoint] = statistics.median(answer["ms"])
                    medians[w.label][f"{endpoint} cpu"] = statistics.median(answer["cpu"])
            rounds.append(medians)
    finally:
        for w in workers:
            w.stop()
    results = {"same_html": same, "queries": queries, "rounds": rounds, "n": args.n}
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "week_page.json").write_text(json.dumps(results, indent=1))
    print(report(results))
    return 0 if same else 1


def report(results: dict) -> str:
    rounds = results["rounds"]
    labels = list(rounds[0])
    lines = [
        f"{len(rounds)} rounds x {results['n']} renders per endpoint per checkout. Each cell:"
        " the median of the per-round medians [p10-p90 across rounds]. Wall = the request's"
        " elapsed time in the client; CPU = the worker thread's CPU time for it (not counting"
        " waits for a core or for PostgreSQL), steadier on a shared machine.",
        "",
        "| checkout | time | bare view | /healthz | week page | week ÷ bare view |"
        " queries (busy / empty week) |",
        "|---|---|---|---|---|---|---|",
    ]
    for label in labels:
        q = results["queries"][label]
        for kind, suffix in (("wall ms", ""), ("CPU ms", " cpu")):
            cells = [_cell([r[label][e + suffix] for r in rounds]) for e in ENDPOINTS]
            ratio = _cell([r[label]["week" + suffix] / r[label]["floor" + suffix] for r in rounds])
            lines.append(
                f"| {label} | {kind} | {' | '.join(cells)} | {ratio} |"
                f" {q['busy week']} / {q['empty week']} |"
            )
    if "base" in labels:
        lines.append("")
        for kind, key in (("wall", "week"), ("CPU", "week cpu")):
            less = _spread([1 - r["this"][key] / r["base"][key] for r in rounds])
            lines.append(
                f"Week page {kind} time, 1 - this ÷ base per round: {less['median']:.0%} less"
                f" [{less['p10']:.0%}-{less['p90']:.0%}]."
            )
        lines.append(f"Pages identical (CSRF tokens aside): {results['same_html']}.")
    return "\n".join(lines)


def _cell(values: list[float]) -> str:
    s = _spread(values)
    return f"{s['median']:.2f} [{s['p10']:.2f}-{s['p90']:.2f}]"


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(*sys.argv[2:5])
    else:
        sys.exit(main())

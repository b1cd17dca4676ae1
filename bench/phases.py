"""The bench's measurements; each returns plain numbers for bench.report."""

import json
import random
import statistics
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench import cpu, seed
from bench.loadgen import Req, Run, percentile, run_closed, run_processes, run_schedule
from conversations.context import conversation_context_build
from conversations.models import Conversation, ConversationEvent

QUERY_USERS = (1, 10, 1_000, 10_000)
LATENCY_N = {1: 300, 4: 400}
LOAD_CONVERSATIONS, LOAD_EVERY_S, LOAD_FOR_S = 100, 5, 60
WEBHOOK_CONVERSATIONS = 400
HUNG_STARTS = 20
GUNICORN_WORKERS = 2  # gunicorn.conf.py's default, which the bench runs with

HOST = "127.0.0.1"
S = {}  # what prepare() seeded, by name


def prepare() -> None:
    """Migrate the fresh database, build static files, seed every user the phases need."""
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    persona = seed.persona()
    S["persona"] = persona
    S["query"] = dict(
        zip(
            QUERY_USERS,
            seed.users("q", list(QUERY_USERS), live=True, persona_obj=persona),
            strict=True,
        )
    )
    S["records"] = {n: seed.history(s.user, persona) for n, s in S["query"].items()}
    S["load"] = seed.users("load", [200] * LOAD_CONVERSATIONS, live=True, persona_obj=persona)
    S["hooks"] = seed.users("hook", [0] * WEBHOOK_CONVERSATIONS, live=True, persona_obj=persona)
    S["starters"] = seed.users("start", [5] * HUNG_STARTS, live=False, persona_obj=persona)


# --- requests ------------------------------------------------------------------------------------


def _headers(token: str) -> tuple[tuple[str, str], ...]:
    return (("Authorization", f"Token {token}"), ("Content-Type", "application/json"))


def tool_req(seeded, name: str, arguments: dict, call_id: str) -> Req:
    body = {"name": name, "arguments": json.dumps(arguments), "tool_call_id": call_id}
    path = f"/api/conversations/{seeded.conversation.pk}/tool-calls/"
    return Req("POST", path, json.dumps(body).encode(), _headers(seeded.token))


def _event_id(seeded, n: int) -> int:
    ids = list(seeded.user.events.order_by("start").values_list("pk", flat=True)[n : n + 1])
    return ids[0]


def tool_arguments(seeded) -> dict:
    """One realistic call per tool (for the user's conversation), by tool name."""
    event_id = _event_id(seeded, 0)
    return {
        "list_schedule_events": {"when": "tomorrow"},
        "find_free_slots": {"duration_minutes": "30", "when": "tomorrow"},
        # 8 pm overlaps nothing (seeded events end by 18:00 UTC); an overlap adds one query,
        # the free alternatives, whatever the number of events.
        "add_schedule_event": {"title": "Dentist", "start_time": "tomorrow at 8pm"},
        "update_schedule_event": {"event_id": event_id, "title": "Renamed"},
        "cancel_schedule_event": {"event_id": event_id},
        "confirm_change": None,  # a seeded pending proposal each time
        "undo_last_change": {},
    }


_ids = iter(range(10**9))


def _call_id(label: str) -> str:
    return f"bench-{label}-{next(_ids)}"


def tool_requests(seeded, name: str, count: int, proposals=None) -> list[Req]:
    arguments = tool_arguments(seeded)[name]
    reqs = []
    for i in range(count):
        args = {"change_id": proposals[i].pk} if name == "confirm_change" else arguments
        reqs.append(tool_req(seeded, name, args, _call_id(name)))
    return reqs


def summary(run: Run) -> dict:
    server = [s.server_ms for s in run.samples if s.status == 200]
    client = [s.client_ms for s in run.samples if s.status == 200]
    return {
        "n": len(run.samples),
        "errors": run.errors,
        "retries": run.retries,
        "server_p50": percentile(server, 50),
        "server_p99": percentile(server, 99),
        "client_p50": percentile(client, 50),
        "client_p99": percentile(client, 99),
        "rps": run.throughput(),
    }


# --- phases --------------------------------------------------------------------------------------


def latency(port: int) -> dict:
    """Floor and each tool at 1 and 4 connections, on the 10,000-event user's live conversation."""
    who = S["query"][10_000]
    floor = [Req("GET", "/bench/floor") for _ in range(max(LATENCY_N.values()))]
    run_closed(HOST, port, floor[:200], 4, 30)  # warm both workers and their connections
    for name in tool_arguments(who):
        if name not in ("confirm_change", "undo_last_change"):
            run_closed(HOST, port, tool_requests(who, name, 8), 4, 30)
    out = {"floor": {}, "tools": {}}
    for c, n in LATENCY_N.items():
        out["floor"][c] = summary(run_closed(HOST, port, floor[:n], c, 60))
    names = list(tool_arguments(who))
    pending = seed.pending_proposals(who.conversation, sum(LATENCY_N.values()), year=2031)
    for name in names:
        out["tools"][name] = {}
        for c, n in LATENCY_N.items():
            batch, pending = (
                (pending[:n], pending[n:]) if name == "confirm_change" else (None, pending)
            )
            reqs = tool_requests(who, name, n, batch)
            out["tools"][name][c] = summary(run_closed(HOST, port, reqs, c, 60))
    out["four_users"] = _decisions_across_users(port)
    return out


def _decisions_across_users(port: int) -> dict:
    """Confirm and undo at 4 connections again, the calls taking turns among 4 users.

    Above, all 4 connections are one user's conversation, and one user's schedule writes queue
    on that user's lock by design (no double booking). A live conversation makes one call at a
    time, so concurrent calls in production come from different users.
    """
    users = list(S["query"].values())
    per_user = LATENCY_N[4] // len(users)
    pending = {
        who.user.pk: seed.pending_proposals(who.conversation, per_user, year=2035) for who in users
    }
    out = {}
    for name in ("confirm_change", "undo_last_change"):
        lists = [
            tool_requests(
                who, name, per_user, pending[who.user.pk] if name == "confirm_change" else None
            )
            for who in users
        ]
        reqs = [req for turn in zip(*lists, strict=True) for req in turn]
        out[name] = summary(run_closed(HOST, port, reqs, 4, 60))
    return out


TX_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK")  # not ROLLBACK TO SAVEPOINT: that one counts


def _is_query(sql: str) -> bool:
    return sql.strip().upper() not in TX_CONTROL


def _count(client: Client, method: str, path: str, **extra) -> tuple[int, int, list[str]]:
    """Status, queries (transaction BEGIN/COMMIT not counted; savepoints are), and the SQL."""
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(path, **extra)
    sql = [q["sql"] for q in ctx.captured_queries]
    return response.status_code, sum(map(_is_query, sql)), sql


def split(sql: list[str]) -> dict:
    """A tool call's queries: finding the caller and the conversation (with token auth, one
    query does both), recording the call (its ToolCall row, savepoints, the commit setting),
    and the tool's own schedule work."""
    queries = [q for q in sql if _is_query(q)]
    first_conv = next(
        (i for i, q in enumerate(queries) if '"conversations_conversation"' in q), len(queries)
    )
    record_marks = ('"conversations_toolcall"', "SAVEPOINT", "SET LOCAL")
    record = sum(any(m in q for m in record_marks) for q in queries[first_conv + 1 :])
    return {
        "auth": first_conv + 1,
        "record": record,
        "tool": len(queries) - first_conv - 1 - record,
    }


def query_counts() -> dict:
    """Queries per tool call (token and session auth) and per page, in-process on the same DB."""
    out = {"tools": {}, "pages": {}, "sql": {}, "split": {}}
    for n, who in S["query"].items():
        pending = seed.pending_proposals(who.conversation, 1, year=2032)
        token_client, session_client = Client(), Client()
        session_client.force_login(who.user)
        auth = {"HTTP_AUTHORIZATION": f"Token {who.token}"}
        for name, arguments in tool_arguments(who).items():
            row = out["tools"].setdefault(name, {})
            for label, client, extra in (
                ("token", token_client, auth),
                ("session", session_client, {}),
            ):
                if name == "confirm_change":
                    arguments = {"change_id": pending[0].pk}
                    if label == "session":
                        pending = seed.pending_proposals(who.conversation, 1, year=2033)
                        arguments = {"change_id": pending[0].pk}
                if name == "undo_last_change" and label == "session":
                    continue  # the token call already undid the only applied change
                req = tool_req(who, name, arguments, _call_id("q"))
                status, count, sql = _count(
                    client,
                    "post",
                    req.path,
                    data=req.body,
                    content_type="application/json",
                    **extra,
                )
                row.setdefault(label, {})[n] = count if status == 200 else f"HTTP {status}"
                if n == 10_000:
                    out["split"].setdefault(name, {})[label] = split(sql)
                    if label == "token":
                        out["sql"][name] = sql
        dup = tool_req(who, "list_schedule_events", {"when": "today"}, f"dup-{n}")
        _count(
            token_client, "post", dup.path, data=dup.body, content_type="application/json", **auth
        )
        status, count, sql = _count(
            token_client, "post", dup.path, data=dup.body, content_type="application/json", **auth
        )
        out["tools"].setdefault("(repeat delivery)", {}).setdefault("token", {})[n] = count
        out["sql"]["(repeat delivery)"] = sql
        pages = {
            "schedule week": "/schedule/?view=week",
            "conversation live": f"/conversations/{who.conversation.pk}/",
            "conversation record": f"/conversations/{S['records'][n].pk}/",
            "history (conversation list)": "/conversations/",
        }
        for page, path in pages.items():
            status, count, sql = _count(session_client, "get", path)
            out["pages"].setdefault(page, {})[n] = count if status == 200 else f"HTTP {status}"
            if n == 10_000:
                out["sql"][page] = sql
    return out


def _webhook_payloads(conversation: Conversation, rng: random.Random) -> list[dict]:
    def envelope(event_type: str, **properties) -> dict:
        stamp = timezone.now() + timedelta(microseconds=rng.randrange(10**9))
        return {
            "properties": {"replica_id": "re8e740a42", **properties},
            "conversation_id": conversation.tavus_conversation_id,
            "webhook_url": "",
            "event_type": event_type,
            "message_type": "system" if event_type.startswith("system.") else "application",
            "timestamp": stamp.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        }

    transcript = [{"role": "system", "content": "You are DRAKO."}] + [
        {"role": "user" if i % 2 else "assistant", "content": f"Turn {i} of the call."}
        for i in range(10)
    ]
    return [
        envelope("system.replica_joined"),
        envelope("application.perception_analysis", analysis="The user looked focused."),
        envelope("system.shutdown", shutdown_reason="participant_left_timeout reached"),
        envelope("application.transcription_ready", transcript=transcript),
        envelope("application.recording_ready", bucket_name="b", s3_key="k", duration=240),
    ]


def webhooks(port: int, server_pid: int) -> dict:
    """Every event delivered twice (half the deliveries are duplicates), in shuffled order."""
    rng = random.Random(7)
    reqs = []
    for who in S["hooks"]:
        path = f"/api/tavus/callbacks/{who.conversation.callback_token}/"
        for payload in _webhook_payloads(who.conversation, rng):
            body = json.dumps(payload).encode()
            reqs += [Req("POST", path, body, (("Content-Type", "application/json"),))] * 2
    rng.shuffle(reqs)
    floor = [Req("GET", "/bench/floor") for _ in range(len(reqs))]
    before = cpu.snapshot(server_pid)
    floor_run = run_processes(
        HOST, port, floor, processes=2, concurrency_per_process=4, timeout_s=60
    )
    middle = cpu.snapshot(server_pid)
    run = run_processes(HOST, port, reqs, processes=2, concurrency_per_process=4, timeout_s=90)
    after = cpu.snapshot(server_pid)
    stored = ConversationEvent.objects.filter(
        conversation__in=[who.conversation for who in S["hooks"]]
    ).count()
    return {
        "deliveries": len(reqs),
        "unique": len(reqs) // 2,
        "stored": stored,
        "run": summary(run),
        "floor": summary(floor_run),
        # CPU seconds each run cost the app, PostgreSQL and the whole machine (the client too).
        "cpu": {"run": cpu.used(middle, after), "floor": cpu.used(before, middle)},
    }


def _health(port: int, c: int, n: int) -> dict:
    return summary(run_closed(HOST, port, [Req("GET", "/healthz") for _ in range(n)], c, 60))


def isolation(port: int, fake) -> dict:
    """/healthz and tool-call latency while 20 conversation starts wait on a Tavus that never
    answers, beside the same run's figures with Tavus answering (issue 13)."""
    who = S["query"][10_000]
    baseline = {c: _health(port, int(c), n) for c, n in LATENCY_N.items()}
    fake.hang("/conversations")
    before = len(fake.requests)
    answers: list[int] = []

    def start(starter) -> None:
        req = Req("POST", "/api/conversations/", b"{}", _headers(starter.token))
        answers.append(run_closed(HOST, port, [req], 1, 40).samples[0].status)

    threads = [threading.Thread(target=start, args=(s,), daemon=True) for s in S["starters"]]
    for thread in threads:
        thread.start()
    # At most TAVUS_MAX_IN_FLIGHT per gunicorn worker ever reach Tavus; the rest answer 503.
    bound = min(HUNG_STARTS, settings.TAVUS_MAX_IN_FLIGHT * GUNICORN_WORKERS)
    in_flight = len(fake.wait_for_requests(before + bound, timeout=15)) - before
    out = {"hung_starts": in_flight, "starts": HUNG_STARTS, "health_baseline": baseline}
    for c, n in LATENCY_N.items():
        reqs = tool_requests(who, "list_schedule_events", n)
        out[c] = summary(run_closed(HOST, port, reqs, c, 60))
        out[f"health_{c}"] = _health(port, int(c), n)
    out["still_hung"] = sum(t.is_alive() for t in threads)
    fake.release()
    for thread in threads:
        thread.join(timeout=40)
    out["start_answers"] = sorted(answers)
    return out


def commit_floor() -> dict:
    """What one durable commit costs on this disk: INSERT + COMMIT of one row, nothing else."""
    times = []
    with connection.cursor() as cursor:
        # A plain table: a TEMP one is not WAL-logged, so its commit would not wait on the disk.
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_commit (x int)")
    for _ in range(300):
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_commit VALUES (1)")
        times.append((time.perf_counter() - started) * 1000)
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        sync = cursor.fetchone()[0]
    return {"p50": percentile(times, 50), "p99": percentile(times, 99), "synchronous_commit": sync}


def context_build() -> dict:
    out = {}
    now = timezone.now()
    for n in (10, 1_000, 10_000):
        user = S["query"][n].user
        times = []
        with CaptureQueriesContext(connection) as ctx:
            text = conversation_context_build(user=user, now=now)
        for _ in range(200):
            started = time.perf_counter()
            conversation_context_build(user=user, now=now)
            times.append((time.perf_counter() - started) * 1000)
        out[n] = {
            "median_ms": statistics.median(times),
            "p99_ms": percentile(times, 99),
            "chars": len(text),
            "lines": text.count("\n") + 1,
            "queries": len(ctx.captured_queries),
        }
    return out


LOAD_CYCLE = (
    "list_schedule_events",
    "find_free_slots",
    "add_schedule_event",
    "list_schedule_events",
    "update_schedule_event",
    "cancel_schedule_event",
)


def load(port: int) -> dict:
    """100 conversations, each calling a tool every 5 s for 60 s (open loop, staggered)."""
    plans = []
    stagger = LOAD_EVERY_S / LOAD_CONVERSATIONS
    for i, who in enumerate(S["load"]):
        arguments = tool_arguments(who)
        plan = []
        for k in range(LOAD_FOR_S // LOAD_EVERY_S):
            name = LOAD_CYCLE[(i + k) % len(LOAD_CYCLE)]
            plan.append(
                (
                    i * stagger + k * LOAD_EVERY_S,
                    tool_req(who, name, arguments[name], _call_id("load")),
                )
            )
        plans.append(plan)
    run = run_schedule(HOST, port, plans, timeout_s=LOAD_FOR_S + 10)
    return summary(run) | {"planned": sum(len(p) for p in plans)}


def run_all(*, port: int, fake, server_pid: int, only=()) -> dict:
    started = time.monotonic()
    results = {}
    for name, phase in (
        ("latency", lambda: latency(port)),
        ("queries", query_counts),
        ("commit", commit_floor),
        ("webhooks", lambda: webhooks(port, server_pid)),
        ("isolation", lambda: isolation(port, fake)),
        ("context", context_build),
        ("load", lambda: load(port)),
    ):
        if only and name not in only:
            continue
        t0 = time.monotonic()
        results[name] = phase()
        print(f"bench: {name} done in {time.monotonic() - t0:.1f} s", flush=True)
    results["total_s"] = time.monotonic() - started
    return results

"""The bench's measurements; each returns plain numbers for bench.report."""

import json
import os
import random
import re
import statistics
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.management import call_command
from django.db import close_old_connections, connection, transaction
from django.middleware.csrf import CSRF_ALLOWED_CHARS
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from django.utils.crypto import get_random_string

from bench import cpu, seed
from bench.loadgen import Req, Run, percentile, run_closed, run_processes, run_schedule
from bench.report import PROPOSAL_STATEMENTS, READ_STATEMENTS, TARGETS
from bench.rounds import Endpoint, measure
from bench.rounds import summary as summary_rounds
from bench.wire import REDIS_URL, RedisRoundTrips, WireCounter
from conversations.context import conversation_context_build
from conversations.models import Conversation, ConversationEvent

QUERY_USERS = (1, 10, 1_000, 10_000)
# Interleaved rounds (bench/rounds.py): each round sends BATCH[c] requests to every floor and
# every endpoint at c connections. BENCH_ROUNDS trades time for a tighter spread.
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "10"))
FOUR_ROUNDS = max(ROUNDS // 2, 3)
BATCH = {1: 20, 4: 40}
LATENCY_N = {1: 300, 4: 400}  # the isolation phase's calls
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
    with connection.cursor() as cursor:
        # The commit floor's table (bench/urls.py): a plain one, since a TEMP table is not
        # WAL-logged, so its commit would not wait on the disk.
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_commit (x int)")
        # Statistics for the planner, as autovacuum keeps them on a database in use: without
        # them the freshly bulk-loaded tables are planned blind (the schedule window's UNION
        # took 3-4 ms instead of 0.5), until autovacuum's own ANALYZE lands mid-measurement.
        cursor.execute("ANALYZE")


# --- requests ------------------------------------------------------------------------------------


def _headers(token: str) -> tuple[tuple[str, str], ...]:
    return (("Authorization", f"Token {token}"), ("Content-Type", "application/json"))


def session_headers(user) -> tuple[tuple[str, str], ...]:
    """What the live page sends (static/js/conversation.js): its session cookie, the CSRF cookie
    and the same token in X-CSRFToken."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    csrf = get_random_string(32, CSRF_ALLOWED_CHARS)
    cookie = f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf}"
    return (("Cookie", cookie), ("X-CSRFToken", csrf), ("Content-Type", "application/json"))


def tool_req(seeded, name: str, arguments: dict, call_id: str, headers=None) -> Req:
    body = {"name": name, "arguments": json.dumps(arguments), "tool_call_id": call_id}
    path = f"/api/conversations/{seeded.conversation.pk}/tool-calls/"
    return Req("POST", path, json.dumps(body).encode(), headers or _headers(seeded.token))


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


def tool_requests(seeded, name: str, count: int, proposals=None, headers=None) -> list[Req]:
    arguments = tool_arguments(seeded)[name]
    reqs = []
    for i in range(count):
        args = {"change_id": proposals[i].pk} if name == "confirm_change" else arguments
        reqs.append(tool_req(seeded, name, args, _call_id(name), headers))
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


def _floors(port: int, who) -> list[Endpoint]:
    read = Req("POST", f"/bench/read/{who.conversation.pk}", b"", _headers(who.token))
    proposal = Req("POST", f"/bench/proposal/{who.conversation.pk}", b"", _headers(who.token))
    return [
        Endpoint("bare view", port, lambda n: [Req("GET", "/bench/floor")] * n),
        Endpoint("/healthz", port, lambda n: [Req("GET", "/healthz")] * n),
        Endpoint("INSERT + COMMIT", port, lambda n: [Req("POST", "/bench/commit")] * n),
        Endpoint(READ_STATEMENTS, port, lambda n: [read] * n),
        Endpoint(PROPOSAL_STATEMENTS, port, lambda n: [proposal] * n),
    ]


class _Proposals:
    """Seeded pending proposals, handed out in order: each confirm_change confirms a fresh one."""

    def __init__(self, who, count: int, year: int):
        self.left = seed.pending_proposals(who.conversation, count, year=year)

    def take(self, n: int) -> list:
        taken, self.left = self.left[:n], self.left[n:]
        if len(taken) < n:
            raise RuntimeError("the bench seeded too few proposals for its rounds")
        return taken


def _tool_endpoint(name, who, port, headers, proposals) -> Endpoint:
    def batch(n: int) -> list[Req]:
        taken = proposals.take(n) if name == "confirm_change" else None
        return tool_requests(who, name, n, taken, headers)

    return Endpoint(name, port, batch)


def _variants(port: int, redis_port: int | None) -> list[tuple[str, str, int]]:
    """(auth, cache, port): both auth paths, on the database cache and (if up) on Redis."""
    servers = [("database", port)] + ([("Redis", redis_port)] if redis_port else [])
    return [(auth, cache, p) for cache, p in servers for auth in ("token", "session")]


def latency(port: int, redis_port: int | None = None) -> dict:
    """Every tool on the 10,000-event user's live conversation, token and session auth, on the
    database cache and on Redis, with the floors of the same server measured in the same rounds;
    then at 4 connections (token, database cache); then the week page."""
    who = S["query"][10_000]
    headers = {"token": _headers(who.token), "session": session_headers(who.user)}
    servers = {"database": port, "Redis": redis_port}
    for p in filter(None, servers.values()):  # warm both workers and their connections
        run_closed(HOST, p, [Req("GET", "/bench/floor")] * 200, 4, 30)
        for name in ("list_schedule_events", "find_free_slots"):
            run_closed(HOST, p, tool_requests(who, name, 8), 4, 30)
    variants = _variants(port, redis_port)
    proposals = _Proposals(who, ROUNDS * BATCH[1] * len(variants), 2031)
    floors = {cache: _floors(p, who) for cache, p in servers.items() if p}
    one: list[tuple[dict, Endpoint]] = []
    for name in TARGETS:
        for auth, cache, p in variants:
            endpoint = _tool_endpoint(name, who, p, headers[auth], proposals)
            one.append(({"endpoint": name, "auth": auth, "cache": cache, "conns": 1}, endpoint))
    page = Req("GET", "/schedule/?view=week", None, headers["session"][:1])  # the cookies
    week = Endpoint("week page", port, lambda n: [page] * n)
    one.append(({"endpoint": "schedule week page", "auth": "session", "cache": "database"}, week))
    order = [f for fl in floors.values() for f in fl] + [e for _, e in one]
    round_s = {1: measure(order, rounds=ROUNDS, n=BATCH[1], concurrency=1)}
    rows = [_row(meta | {"conns": 1}, e, floors[meta["cache"]]) for meta, e in one]
    for cache, fl in floors.items():
        rows += [_floor_row(f, cache, 1, fl) for f in fl]
    rows += _four_connections(port, who, headers["token"])
    return {
        "rows": rows,
        "rounds": ROUNDS,
        "four_rounds": FOUR_ROUNDS,
        "batch": BATCH,
        "round_s": round_s,
    }


def _row(meta: dict, endpoint: Endpoint, floors: list[Endpoint]) -> dict:
    return meta | summary_rounds(endpoint, {f.name: f for f in floors})


def _floor_row(floor: Endpoint, cache: str, conns: int, floors: list[Endpoint]) -> dict:
    meta = {"endpoint": floor.name, "auth": "-", "cache": cache, "conns": conns, "floor": True}
    return _row(meta, floor, floors)


def _four_connections(port: int, who, headers) -> list[dict]:
    """The tools at 4 connections on one user (whose writes queue on the user's lock, by
    design), then confirm and undo with the calls taking turns among 4 users, which is how
    concurrent calls arrive in production (a live conversation makes one call at a time)."""
    floors = _floors(port, who)
    proposals = _Proposals(who, FOUR_ROUNDS * BATCH[4], 2041)
    tools = [(name, _tool_endpoint(name, who, port, headers, proposals)) for name in TARGETS]
    users = list(S["query"].values())
    share = BATCH[4] // len(users)
    pools = {u.user.pk: _Proposals(u, FOUR_ROUNDS * share, 2045) for u in users}

    def in_turn(name: str) -> Endpoint:
        def batch(n: int) -> list[Req]:
            lists = []
            for u in users:
                taken = pools[u.user.pk].take(share) if name == "confirm_change" else None
                lists.append(tool_requests(u, name, share, taken))
            return [req for turn in zip(*lists, strict=True) for req in turn]

        return Endpoint(f"{name}, 4 users in turn", port, batch)

    turns = [(f"{n}, 4 users in turn", in_turn(n)) for n in ("confirm_change", "undo_last_change")]
    measure(floors + [e for _, e in tools + turns], rounds=FOUR_ROUNDS, n=BATCH[4], concurrency=4)
    meta = {"auth": "token", "cache": "database", "conns": 4}
    rows = [_row(meta | {"endpoint": name}, e, floors) for name, e in tools + turns]
    return rows + [_floor_row(f, "database", 4, floors) for f in floors]


TX_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK")  # not ROLLBACK TO SAVEPOINT: that one is work
HEALTH_CHECK = "SELECT 1"  # Django's CONN_HEALTH_CHECKS, sent on a reused connection's first use


def _is_query(sql: str) -> bool:
    return sql.strip().upper() not in (*TX_CONTROL, HEALTH_CHECK)


@contextmanager
def on_the_wire(wire: WireCounter):
    """Django's connection goes through the counting proxy (bench/wire.py) for the block."""
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["PORT"] = wire.port
    connection.settings_dict["OPTIONS"] = {**saved.get("OPTIONS", {}), **wire.options}
    try:
        yield wire
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def _count(wire: WireCounter, client: Client, method: str, path: str, **extra) -> tuple:
    """Status, the round trips on the wire, and the statements Django's own log shows.

    Django's test client leaves out the request cycle's connection bookkeeping
    (close_old_connections on request_started and request_finished), which is what makes a
    reused connection run its health check; it is done here as gunicorn's requests do it.
    """
    close_old_connections()
    mark = wire.count()
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(path, **extra)
    close_old_connections()
    return response.status_code, wire.since(mark), [q["sql"] for q in ctx.captured_queries]


LIMIT_MARKS = ('"drako_ratecounter"', '"drako_cache"')  # the rate limit in the database cache


def split(sql: list[str]) -> dict:
    """A tool call's round trips: BEGIN/COMMIT/ROLLBACK, the connection health check, finding
    the caller and the conversation (with token auth, one query does both), the rate limit's
    count (when it is in the database), recording the call (its ToolCall row, savepoints,
    SETs), and the tool's own schedule work."""
    queries = [q for q in sql if _is_query(q)]
    limit = [q for q in queries if any(m in q for m in LIMIT_MARKS)]
    queries = [q for q in queries if q not in limit]
    first_conv = next(
        (i for i, q in enumerate(queries) if '"conversations_conversation"' in q), len(queries)
    )
    record_marks = ('"conversations_toolcall"', "SAVEPOINT", "SET LOCAL")
    record = sum(any(m in q for m in record_marks) for q in queries[first_conv + 1 :])
    return {
        "transaction": sum(q.strip().upper() in TX_CONTROL for q in sql),
        "health": sum(q.strip().upper() == HEALTH_CHECK for q in sql),
        "auth": min(first_conv + 1, len(queries)),
        "limit": len(limit),
        "record": record,
        "tool": max(len(queries) - first_conv - 1 - record, 0),
    }


def _post_tool(wire, client, who, name, arguments, extra) -> tuple:
    req = tool_req(who, name, arguments, _call_id("q"))
    return _count(
        wire, client, "post", req.path, data=req.body, content_type="application/json", **extra
    )


def query_counts(redis_up: bool = False) -> dict:
    """Round trips per tool call (token and session auth) and per page, counted on the wire
    between Django and PostgreSQL (bench/wire.py), in-process on the same database."""
    with on_the_wire(WireCounter().start()) as wire:
        out = _wire_counts(wire)
        if redis_up:
            out["redis"] = _redis_counts(wire)
        wire.stop()
    return out


def _wire_counts(wire: WireCounter) -> dict:
    out = {"tools": {}, "pages": {}, "sql": {}, "split": {}, "django": {}}
    for n, who in S["query"].items():
        pending = seed.pending_proposals(who.conversation, 2, year=2032 + n % 7)
        token_client, session_client = Client(), Client()
        session_client.force_login(who.user)
        clients = {
            "token": (token_client, {"HTTP_AUTHORIZATION": f"Token {who.token}"}),
            "session": (session_client, {}),
        }
        for client, extra in clients.values():  # the connection proven once, as in a worker
            _count(wire, client, "get", "/healthz", **extra)
        if n == QUERY_USERS[0]:
            _prepare_statements(wire, who, clients)
        for name, arguments in tool_arguments(who).items():
            row = out["tools"].setdefault(name, {})
            for label, (client, extra) in clients.items():
                if name == "confirm_change":
                    arguments = {"change_id": pending[0 if label == "token" else 1].pk}
                if name == "undo_last_change" and label == "session":
                    continue  # the token call already undid the only applied change
                status, trips, logged = _post_tool(wire, client, who, name, arguments, extra)
                row.setdefault(label, {})[n] = len(trips) if status == 200 else f"HTTP {status}"
                if n == 10_000:
                    out["split"].setdefault(name, {})[label] = split(trips)
                    out["django"].setdefault(name, {})[label] = len(logged)
                    if label == "token":
                        out["sql"][name] = trips
        token_client, auth = clients["token"]
        _post_tool(wire, token_client, who, "list_schedule_events", {"when": "today"}, auth)
        dup = tool_req(who, "list_schedule_events", {"when": "today"}, f"dup-{n}")
        for _ in range(2):
            status, trips, _ = _count(
                wire,
                token_client,
                "post",
                dup.path,
                data=dup.body,
                content_type="application/json",
                **auth,
            )
        out["tools"].setdefault("(repeat delivery)", {}).setdefault("token", {})[n] = len(trips)
        out["sql"]["(repeat delivery)"] = trips
        pages = {
            "schedule week": "/schedule/?view=week",
            "conversation live": f"/conversations/{who.conversation.pk}/",
            "conversation record": f"/conversations/{S['records'][n].pk}/",
            "history (conversation list)": "/conversations/",
        }
        for page, path in pages.items():
            status, trips, _ = _count(wire, session_client, "get", path)
            out["pages"].setdefault(page, {})[n] = len(trips) if status == 200 else f"HTTP {status}"
            if n == 10_000:
                out["sql"][page] = trips
    return out


def _prepare_statements(wire: WireCounter, who, clients: dict) -> None:
    """Every tool once through each door, not counted: a worker's connection lives for
    CONN_MAX_AGE and prepares each hot statement at its first use there (one extra round trip
    per statement, once per connection), so the counts below are those of every later call.
    Each confirmed change is undone, so the counted calls start from the same schedule."""
    pending = seed.pending_proposals(who.conversation, len(clients), year=2039)
    for (client, extra), proposal in zip(clients.values(), pending, strict=True):
        for name, arguments in tool_arguments(who).items():
            if name == "confirm_change":
                arguments = {"change_id": proposal.pk}
            status, _, _ = _post_tool(wire, client, who, name, arguments, extra)
            assert status == 200, f"{name}: HTTP {status}"


def _redis_counts(wire: WireCounter) -> dict:
    """A read on the Redis cache: PostgreSQL round trips, and Redis's (redis-py's socket writes)."""
    who = S["query"][10_000]
    redis_cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    out = {}
    with override_settings(CACHES={"default": redis_cache}):
        session_client = Client()
        session_client.force_login(who.user)
        clients = {
            "token": (Client(), {"HTTP_AUTHORIZATION": f"Token {who.token}"}),
            "session": (session_client, {}),
        }
        for label, (client, extra) in clients.items():
            # Warm: the connections to PostgreSQL and Redis proven (Redis's handshake is once).
            _post_tool(wire, client, who, "list_schedule_events", {"when": "today"}, extra)
            counter = RedisRoundTrips()
            with counter.counting():
                status, trips, _ = _post_tool(
                    wire, client, who, "list_schedule_events", {"when": "tomorrow"}, extra
                )
            out[label] = {"status": status, "postgres": len(trips), "redis": counter.commands}
    return out


BREAKDOWN_CALLS = 30
_TABLE = re.compile(r'(?:FROM|INTO|UPDATE)\s+"(\w+)"')


def _label(sql: str) -> str:
    """'SELECT schedules_event': a statement's verb and its first table."""
    table = _TABLE.search(sql)
    return f"{sql.split(None, 1)[0].strip('(')} {table.group(1) if table else ''}".strip()


def breakdown() -> dict:
    """Where a tool call's time goes, in-process (token path, 10,000-event user): the whole
    request inside Django, the time PostgreSQL took to answer its statements and commits (each
    a round trip, timed at the client), and what is left, which is Python (Django, the
    tool's own work). Medians of BREAKDOWN_CALLS calls per tool, warm connection."""
    who = S["query"][10_000]
    client, auth = Client(), {"HTTP_AUTHORIZATION": f"Token {who.token}"}
    spent = {"statements": 0.0, "count": 0}
    by_statement: dict[str, dict[str, list[float]]] = {}

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - started
            spent["statements"] += took
            spent["count"] += 1
            by_statement.setdefault(current[0], {}).setdefault(_label(sql), []).append(took)

    commit = connection._commit

    def timed_commit():
        started = time.perf_counter()
        try:
            return commit()
        finally:
            spent["statements"] += time.perf_counter() - started
            spent["count"] += 1

    pending = seed.pending_proposals(who.conversation, BREAKDOWN_CALLS + 5, year=2041)
    out = {}
    current = [""]
    connection._commit = timed_commit
    try:
        with connection.execute_wrapper(timed):
            for name, arguments in tool_arguments(who).items():
                current[0] = name
                samples = []
                for i in range(BREAKDOWN_CALLS + 5):  # the first five warm the statements
                    if name == "confirm_change":
                        arguments = {"change_id": pending[i].pk}
                    req = tool_req(who, name, arguments, _call_id("split"))
                    close_old_connections()
                    spent.update(statements=0.0, count=0)
                    started = time.perf_counter()
                    response = client.post(
                        req.path, data=req.body, content_type="application/json", **auth
                    )
                    total = time.perf_counter() - started
                    close_old_connections()
                    if response.status_code == 200 and i >= 5:
                        samples.append((total, spent["statements"], spent["count"]))
                out[name] = {
                    "n": len(samples),
                    "total_ms": statistics.median(t for t, _, _ in samples) * 1000,
                    "database_ms": statistics.median(d for _, d, _ in samples) * 1000,
                    "python_ms": statistics.median(t - d for t, d, _ in samples) * 1000,
                    "statements": statistics.median(c for _, _, c in samples),
                    "each_ms": {
                        label: statistics.median(times) * 1000
                        for label, times in by_statement.get(name, {}).items()
                    },
                }
    finally:
        connection._commit = commit
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


WEBHOOK_ROUNDS = 4


def webhooks(port: int, server_pid: int) -> dict:
    """Every event delivered twice (half the deliveries are duplicates), in shuffled order, in
    WEBHOOK_ROUNDS rounds: each round the floor endpoint gets as many requests from the same
    client, just before, and the round's share is its webhook rate ÷ its floor's rate."""
    rng = random.Random(7)
    per_round = len(S["hooks"]) // WEBHOOK_ROUNDS
    run, floor_run, rounds, sent = Run(), Run(), [], 0
    used = {"run": {}, "floor": {}}
    for n in range(WEBHOOK_ROUNDS):
        reqs = []
        for who in S["hooks"][n * per_round : (n + 1) * per_round]:
            path = f"/api/tavus/callbacks/{who.conversation.callback_token}/"
            for payload in _webhook_payloads(who.conversation, rng):
                body = json.dumps(payload).encode()
                reqs += [Req("POST", path, body, (("Content-Type", "application/json"),))] * 2
        rng.shuffle(reqs)
        sent += len(reqs)
        floor = [Req("GET", "/bench/floor") for _ in range(len(reqs))]
        before = cpu.snapshot(server_pid)
        floor_part = run_processes(
            HOST, port, floor, processes=2, concurrency_per_process=4, timeout_s=60
        )
        middle = cpu.snapshot(server_pid)
        part = run_processes(HOST, port, reqs, processes=2, concurrency_per_process=4, timeout_s=90)
        after = cpu.snapshot(server_pid)
        for total, piece in ((run, part), (floor_run, floor_part)):
            total.samples.extend(piece.samples)
            total.elapsed_s += piece.elapsed_s
            total.retries += piece.retries
        for key, (start, end) in (("floor", (before, middle)), ("run", (middle, after))):
            for name, seconds in cpu.used(start, end).items():
                used[key][name] = used[key].get(name, 0.0) + seconds
        rate, floor_rate = part.throughput(), floor_part.throughput()
        rounds.append({"rps": rate, "floor_rps": floor_rate, "share": rate / floor_rate})
    stored = ConversationEvent.objects.filter(
        conversation__in=[who.conversation for who in S["hooks"]]
    ).count()
    return {
        "deliveries": sent,  # as sent; run's n and errors say how many were answered
        "unique": sent // 2,
        "stored": stored,
        "run": summary(run),
        "floor": summary(floor_run),
        "rounds": rounds,
        # CPU seconds each run cost the app, PostgreSQL and the whole machine (the client too).
        "cpu": used,
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


def run_all(*, port: int, redis_port: int | None, fake, server_pid: int, only=()) -> dict:
    started = time.monotonic()
    results = {}
    for name, phase in (
        ("latency", lambda: latency(port, redis_port)),
        ("queries", lambda: query_counts(redis_up=redis_port is not None)),
        ("breakdown", breakdown),
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

"""Writes bench/RESULTS.md from the phases' numbers, each target beside its figure.

`python -m bench.report` rewrites it from bench/out/results.json, the last run's numbers.
"""

import json
import math
import statistics
from pathlib import Path

USERS = ("1", "1000", "10000")
AUTHS = ("token", "session")
TOOL_P99_UNLOADED, TOOL_P99_FOUR = 10.0, 25.0
# Issue 19: new events at >= 60 % of the floor's rate (the same client, just before).
WEBHOOK_SHARE, WEBHOOK_P99 = 0.60, 50.0
# Issue 19: a tool call's client p50 and p99 within this multiple of /healthz (bench.phases).
TARGETS = {
    "list_schedule_events": 2.5,
    "find_free_slots": 2.5,
    "add_schedule_event": 3.0,
    "update_schedule_event": 3.0,
    "cancel_schedule_event": 3.0,
    "confirm_change": 5.0,
    "undo_last_change": 5.0,
}


# The floors under a read and a proposal: their statements alone (bench/urls.py).
READ_STATEMENTS = "a read's statements"
PROPOSAL_STATEMENTS = "a proposal's statements"


def _ms(value: float) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.1f}"


def _ok(met: bool) -> str:
    return "met" if met else "**missed**"


def _machine(m: dict) -> list[str]:
    return [
        "## Machine and versions",
        "",
        f"- {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, Linux {m['kernel']}",
        f"- Python {m['python']}, Django {m['django']}, DRF {m['drf']}, gunicorn {m['gunicorn']}"
        f" (gthread, the project's gunicorn.conf.py: 2 workers x 8 threads), psycopg"
        f" {m['psycopg']}, PostgreSQL {m['postgresql']} on 127.0.0.1",
        f"- run at {m['when']}",
        "",
    ]


def _r(spread: dict) -> str:
    """A per-round ratio: median [p10-p90]."""
    if spread is None or math.isnan(spread["median"]):
        return "-"
    return f"{spread['median']:.1f}x [{spread['p10']:.1f}-{spread['p90']:.1f}]"


def _met(row: dict) -> bool | None:
    """Whether a tool row meets issue 19's target: client p50 and p99 within TARGET x /healthz,
    judged on the median of the per-round ratios."""
    target = TARGETS.get(row["endpoint"].split(",")[0])
    if target is None or row.get("floor"):
        return None
    ratios = row["ratios"]["/healthz"]
    return ratios["client_p50"]["median"] <= target and ratios["client_p99"]["median"] <= target


def _latency(lat: dict, commit: dict) -> list[str]:
    rows = [
        "## Tool calls and the week page, beside their floors",
        "",
        f"{lat['rounds']} rounds at 1 connection (then {lat.get('four_rounds', '-')} at 4). Each"
        f" round sends {lat['batch']['1']} requests (at 4 connections, {lat['batch']['4']}) to"
        " each floor of a server and then to each endpoint on it, one batch after another, so"
        " an endpoint and its floors are measured within one round (at 1 connection a round"
        f" took {_ms(lat.get('round_s', {}).get('1', math.nan))} s, median)."
        " Floors: the bare view (a `JsonResponse` behind the same middleware), `/healthz` (one"
        " query), INSERT + COMMIT (one durable write, autocommit: one round trip), a read's"
        " statements (a read tool call's four statements alone, through the code a read runs"
        " them with: the caller, the rate count, the events, the record; none of the call's"
        " parsing, wording, logging or metrics) and a proposal's statements (add_schedule_event's"
        " seven alone, the same way: the caller, the rate count, BEGIN, the conflict check, the"
        " proposal, the record pointing at it, COMMIT; bench/urls.py). A ratio is"
        " taken within a round (the endpoint's p50 ÷ the floor's p50 in that round; p99 alike,"
        " where a round's p99 is its slowest call) and shown as the median of"
        " the rounds [their p10-p90]. ms are pooled over every round; client = the bench's own"
        " round trip on loopback, server = inside Django. Auth: the token path (the persona's"
        " tools) and the session path (what the live page sends: cookie + X-CSRFToken,"
        " static/js/conversation.js). Cache: the database cache, or Redis (a second gunicorn"
        " with CACHE_URL on Redis, measured in the same rounds); the rate limiter counts in it."
        " Target: issue 19's, client p50 and p99 within the multiple of /healthz (median round).",
        "",
    ]
    for conns in (1, 4):
        rows += [
            f"### {conns} connection{'s' if conns > 1 else ''}",
            "",
            "| endpoint | auth | cache | n | errors | client p50 | client p99 | server p50 |"
            " ÷ /healthz p50 | ÷ /healthz p99 | ÷ bare view p50 | target | |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for row in (r for r in lat["rows"] if r["conns"] == conns):
            ratios = row["ratios"]
            met = _met(row)
            target = TARGETS.get(row["endpoint"].split(",")[0])
            rows.append(
                f"| {'*' + row['endpoint'] + '*' if row.get('floor') else row['endpoint']} |"
                f" {row['auth']} | {row['cache']} | {row['n']} | {row['errors']} |"
                f" {_ms(row['client_p50'])} | {_ms(row['client_p99'])} |"
                f" {_ms(row['server_p50'])} | {_r(ratios['/healthz']['client_p50'])} |"
                f" {_r(ratios['/healthz']['client_p99'])} |"
                f" {_r(ratios['bare view']['client_p50'])} |"
                f" {f'≤ {target:g}x' if target else ''} | {'' if met is None else _ok(met)} |"
            )
        rows.append("")
    rows += [
        "At 4 connections the plain rows put all four on one user's conversation, so that"
        " user's schedule writes (confirm, undo) queue on the user's own lock, by design; the"
        ' "4 users in turn" rows spread the calls over four users, as production\'s'
        " concurrent calls arrive (a live conversation makes one call at a time).",
        "",
        f"One durable commit from the bench process itself (INSERT of one row + COMMIT, no HTTP;"
        f" synchronous_commit={commit['synchronous_commit']}): p50 {commit['p50']:.2f} ms, p99"
        f" {commit['p99']:.2f} ms.",
        "",
    ]
    return rows


def _queries(q: dict) -> list[str]:
    rows = [
        "## Round trips per tool call, counted on the wire",
        "",
        "Counted by a proxy between Django and PostgreSQL that reads the protocol"
        " (bench/wire.py): every simple Query and every extended-protocol Sync the client sends"
        " is one round trip, so BEGIN, COMMIT, ROLLBACK, savepoints, SETs and the connection"
        " health check's `SELECT 1` all count. In-process (Django test client, same database),"
        " with the request cycle's connection handling that gunicorn's requests get (Django's"
        " test client skips it, and with it the health check). The rate limiter counts in the"
        " database cache here, so its statements are in the figures. Split for the 10,000-event"
        " user: transaction control, health check, finding the caller and the conversation"
        " (token: one query can do both; session: Django's session and user, then the"
        " conversation), the rate limit's count, recording the call (its exactly-once ToolCall"
        " row), the tool's own work; then what Django's own query log shows for the same call"
        " (it lists BEGIN and COMMIT, not the health check).",
        "",
        "| tool | BEGIN/COMMIT | health check | caller + conversation | rate limit | record |"
        " tool | Django's log | on the wire, token: 1 / 1k / 10k events |"
        " session: 1 / 1k / 10k | constant |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, by_auth in q["tools"].items():
        token, session = by_auth.get("token", {}), by_auth.get("session", {})
        split = q["split"].get(name, {})
        logged = q.get("django", {}).get(name, {})

        def both(key, split=split):
            return " / ".join(str(split[a][key]) if a in split else "-" for a in AUTHS)

        counts = [token.get(u) for u in USERS]
        cells = (
            [both(k) for k in ("transaction", "health", "auth", "limit", "record", "tool")]
            if split
            else ["-"] * 6
        )
        rows.append(
            f"| {name} | {' | '.join(cells)} |"
            f" {' / '.join(str(logged.get(a, '-')) for a in ('token', 'session'))} |"
            f" {' / '.join(map(str, counts))} |"
            f" {' / '.join(str(session.get(u, '-')) for u in USERS)} |"
            f" {_ok(len(set(map(str, counts))) == 1)} |"
        )
    rows += ["", "Each split cell: token / session.", ""]
    if q.get("redis"):
        rows += [
            "On the Redis cache (the same read, list_schedule_events, 10,000-event user):",
            "",
            "| auth | PostgreSQL round trips | Redis round trips | Redis commands |",
            "|---|---|---|---|",
        ]
        for auth, r in q["redis"].items():
            rows.append(
                f"| {auth} | {r['postgres']} | {len(r['redis'])} |"
                f" {', '.join(f'`{c}`' for c in r['redis']) or '-'} |"
            )
        rows.append("")
    rows += [
        "## Round trips per page (session auth)",
        "",
        "| page | 1 event | 10 | 1,000 | 10,000 | constant |",
        "|---|---|---|---|---|---|",
    ]
    for page, by_n in q["pages"].items():
        counts = [by_n[n] for n in ("1", "10", "1000", "10000")]
        rows.append(
            f"| {page} | {' | '.join(map(str, counts))} | {_ok(len(set(map(str, counts))) == 1)} |"
        )
    rows += ["", "What went over the wire for one call per tool (10,000-event user, token):", ""]
    for name in q["tools"]:
        rows.append(f"- {name}: " + "; ".join(_short(s) for s in q["sql"].get(name, [])))
    rows.append("")
    return rows


def _short(sql: str) -> str:
    words = sql.split()
    head = " ".join(words[:2])
    table = next((w for w in words if w.startswith('"') and "_" in w), "")
    if head.upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
        return "`" + " ".join(words[:2]).split('"')[0].strip() + "`"
    if head.upper() in ("BEGIN", "COMMIT", "ROLLBACK"):
        return f"`{head}`"
    return f"`{words[0]} {table.split('.')[0]}`"


def webhook_share(w: dict) -> tuple[float, float, float]:
    """The webhooks' rate ÷ the floor's: the median round's, with the lowest and highest round's
    (one overall ratio, low = high, for a run without rounds)."""
    shares = sorted(r["share"] for r in w.get("rounds", []))
    if not shares:
        share = w["run"]["rps"] / w["floor"]["rps"] if w["floor"]["rps"] else float("nan")
        return share, share, share
    return statistics.median(shares), shares[0], shares[-1]


def _webhooks(w: dict) -> list[str]:
    r, f = w["run"], w["floor"]
    share, low, high = webhook_share(w)
    return [
        "## Webhook ingestion",
        "",
        f"{w['unique']} distinct Tavus events (replica_joined, perception_analysis, shutdown,"
        f" transcription_ready, recording_ready for {w['unique'] // 5} conversations), each"
        f" delivered twice in shuffled order: {w['deliveries']} deliveries, half duplicates;"
        " 2 client processes x 4 keep-alive connections, in"
        f" {len(w.get('rounds', [])) or 1} rounds of their own events. Each round the same"
        " client sends as many requests to the floor endpoint (the bare view) just before; the"
        " share is the round's webhook rate ÷ its floor's, the median round's"
        f" [lowest-highest: {low:.0%}-{high:.0%}]. req/s and ms are pooled over the rounds.",
        "",
        "| run | deliveries | errors | req/s | ÷ floor | server p50 | server p99 | client p50 |"
        " client p99 | target | |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        f"| webhooks | {r['n']} | {r['errors']} | {r['rps']:.0f} | {share:.0%} |"
        f" {_ms(r['server_p50'])} | {_ms(r['server_p99'])} | {_ms(r['client_p50'])} |"
        f" {_ms(r['client_p99'])} | ≥ {WEBHOOK_SHARE:.0%} of the floor, p99 ≤"
        f" {WEBHOOK_P99:.0f} ms | throughput {_ok(share >= WEBHOOK_SHARE)}, p99"
        f" {_ok(r['server_p99'] <= WEBHOOK_P99)} |",
        f"| floor | {f['n']} | {f['errors']} | {f['rps']:.0f} | 100% | {_ms(f['server_p50'])} |"
        f" {_ms(f['server_p99'])} | {_ms(f['client_p50'])} | {_ms(f['client_p99'])} | | |",
        "",
        f"Stored events afterwards: **{w['stored']}** for {w['unique']} distinct events"
        f" ({_ok(w['stored'] == w['unique'])}: every duplicate was acknowledged and dropped).",
        "",
        *_cpu_rows(w),
    ]


def _cpu_rows(w: dict) -> list[str]:
    """Where the machine's CPU went per delivery: what bounds throughput on 2 shared cores."""
    if "cpu" not in w:
        return []
    rows = [
        "CPU per delivery (ms of CPU time, from /proc, for the whole run ÷ deliveries): the app"
        " (gunicorn's workers), PostgreSQL, and the rest of the machine (mostly the bench's"
        " own client). The machine has 2 cores, so req/s can't exceed 2,000 ÷ the total.",
        "",
        "| run | app | PostgreSQL | client and rest | total | ceiling req/s |",
        "|---|---|---|---|---|---|",
    ]
    for label, key in (("webhooks", "run"), ("floor", "floor")):
        used, n = w["cpu"][key], w[key]["n"]
        app, pg = used["app"] * 1000 / n, used["postgres"] * 1000 / n
        total = used["machine"] * 1000 / n
        rows.append(
            f"| {label} | {app:.2f} | {pg:.2f} | {max(total - app - pg, 0):.2f} | {total:.2f} |"
            f" {2000 / total:.0f} |"
        )
    return [*rows, ""]


def _isolation(iso: dict, lat: dict) -> list[str]:
    rows = [
        "## Isolation from a slow Tavus",
        "",
        f"{iso.get('starts', iso['hung_starts'])} conversation starts (`POST /api/conversations/`)"
        f" were sent to a fake Tavus that does not answer; {iso['hung_starts']} reached it (the"
        " bound: TAVUS_MAX_IN_FLIGHT per worker) and the rest were refused at once with a 503"
        f" ({iso['still_hung']} still waiting when the measurement ended). Meanwhile"
        " list_schedule_events was called on another user's conversation, and /healthz polled;"
        " unloaded figures from the same run beside them, and the ratio of the two p99s.",
        "",
        "| conns | n | errors | server p50 | server p99 | unloaded server p99 | target | |"
        " client p99 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    unloaded = {c: _find(lat["rows"], "list_schedule_events", conns=int(c)) for c in ("1", "4")}
    for c in ("1", "4"):
        s, base = iso[c], unloaded[c]
        target = TOOL_P99_UNLOADED if c == "1" else TOOL_P99_FOUR
        rows.append(
            f"| {c} | {s['n']} | {s['errors']} | {_ms(s['server_p50'])} | {_ms(s['server_p99'])}"
            f" | {_ms(base['server_p99'])} | ≤ {target:.0f} | {_ok(s['server_p99'] <= target)} |"
            f" {_ms(s['client_p99'])} |"
        )
    if "health_baseline" in iso:
        rows += ["", "| /healthz conns | n | errors | p99 during the hang | p99 unloaded | ratio |",
                 "|---|---|---|---|---|---|"]  # fmt: skip
        for c in ("1", "4"):
            hung, base = iso[f"health_{c}"], iso["health_baseline"][c]
            ratio = hung["client_p99"] / base["client_p99"] if base["client_p99"] else 0
            rows.append(
                f"| {c} | {hung['n']} | {hung['errors']} | {_ms(hung['client_p99'])} |"
                f" {_ms(base['client_p99'])} | {ratio:.2f}x |"
            )
    rows += ["", f"Starts answered after Tavus was released: {iso['start_answers']}.", ""]
    return rows


def _context(ctx: dict) -> list[str]:
    rows = [
        "## conversational_context build",
        "",
        "`conversation_context_build` in-process, 200 builds each.",
        "",
        "| events | median ms | p99 ms | chars | lines | queries |",
        "|---|---|---|---|---|---|",
    ]
    for n, s in ctx.items():
        rows.append(
            f"| {int(n):,} | {s['median_ms']:.2f} | {s['p99_ms']:.2f} | {s['chars']} |"
            f" {s['lines']} | {s['queries']} |"
        )
    return [*rows, ""]


def _load(load: dict) -> list[str]:
    return [
        "## Load run",
        "",
        "100 conversations (100 users, 200 events each), each making a tool call every 5 s for"
        " 60 s, staggered (about 20 calls/s in all); the tools cycle through list, free slots,"
        " add, list, update, cancel. A fresh connection per call.",
        "",
        "| planned | sent | errors | server p50 | server p99 | client p50 | client p99 |",
        "|---|---|---|---|---|---|---|",
        f"| {load['planned']} | {load['n']} | {load['errors']} | {_ms(load['server_p50'])} |"
        f" {_ms(load['server_p99'])} | {_ms(load['client_p50'])} | {_ms(load['client_p99'])} |",
        "",
    ]


def _find(
    rows: list[dict], endpoint: str, auth: str = "token", cache: str = "database", conns: int = 1
) -> dict | None:
    wanted = (endpoint, auth, cache, conns)
    return next(
        (r for r in rows if (r["endpoint"], r["auth"], r["cache"], r["conns"]) == wanted), None
    )


def _p50(row: dict | None, floor: str = "/healthz") -> float:
    return row["ratios"][floor]["client_p50"]["median"] if row else math.nan


def _shift(rows: list[dict], a: tuple[str, str], b: tuple[str, str]) -> tuple[float, float]:
    """b's client p50 ÷ a's and b's - a's in ms, each the median over the tools (both were
    measured in the same rounds)."""
    pairs = [(_find(rows, t, *a), _find(rows, t, *b)) for t in TARGETS]
    pairs = [(x, y) for x, y in pairs if x and y]
    if not pairs:
        return math.nan, math.nan
    ratio = statistics.median(y["client_p50"] / x["client_p50"] for x, y in pairs)
    return ratio, statistics.median(y["client_p50"] - x["client_p50"] for x, y in pairs)


def _summary(results: dict) -> list[str]:
    """The run in sentences, every figure taken from this run's numbers."""
    rows = results["latency"]["rows"]
    lines = ["## Summary", "", "Generated from this run's numbers (bench/report.py).", ""]
    load, cores = results.get("load_average"), results["machine"]["cores"]
    if load:
        busy = max(load["start"], load["end"]) > cores / 2
        lines.append(
            f"- Load average (1 min) at the start {load['start']:.1f}, at the end"
            f" {load['end']:.1f}, on {cores} cores"
            + (
                ": other work shared the machine, so the ms are inflated and the spreads wide;"
                " the per-round ratios are the figures to read."
                if busy
                else "."
            )
        )
    floors = {f: _find(rows, f, "-") for f in ("bare view", "/healthz", "INSERT + COMMIT")}
    lines.append(
        "- Floors at 1 connection (client p50, database-cache server): "
        + ", ".join(f"{name} {_ms(r['client_p50'])} ms" for name, r in floors.items() if r)
        + "."
    )
    statements = [
        (READ_STATEMENTS, "A read's four statements", "list_schedule_events", "a read's"),
        (PROPOSAL_STATEMENTS, "A proposal's seven statements", "add_schedule_event",
         "a proposal's"),
    ]  # fmt: skip
    for cache in ("database", "Redis"):
        for floor, words, tool, whose in statements:
            row = _find(rows, floor, "-", cache)
            if not row:
                continue
            ratio = row["ratios"]["/healthz"]["client_p50"]
            below = TARGETS[tool]
            lines.append(
                f"- {words} alone ({cache} cache; no argument check, time words, wording,"
                f" logging or metrics): client p50 {_ms(row['client_p50'])} ms, {_r(ratio)}"
                " /healthz"
                + (
                    f": above {whose} target of {below:g}x before the call's own work."
                    if ratio["median"] > below
                    else f", under {whose} target of {below:g}x."
                )
            )
    for auth, cache in [(a, c) for c in ("database", "Redis") for a in AUTHS]:
        tools = [_find(rows, t, auth, cache) for t in TARGETS]
        tools = [r for r in tools if r]
        if not tools:
            continue
        missed = [r for r in tools if not _met(r)]
        lines.append(
            f"- {auth} auth, {cache} cache, 1 connection: {len(tools) - len(missed)} of"
            f" {len(tools)} tools within their target."
            + (
                " Missed: "
                + "; ".join(
                    f"{r['endpoint']} {_p50(r):.1f}x at p50,"
                    f" {r['ratios']['/healthz']['client_p99']['median']:.1f}x at p99"
                    f" (target {TARGETS[r['endpoint']]:g}x)"
                    for r in missed
                )
                + "."
                if missed
                else ""
            )
        )
    shifts = [
        ("the session path ÷ the token path", ("token", "database"), ("session", "database")),
        ("Redis ÷ the database cache (token path)", ("token", "database"), ("token", "Redis")),
    ]
    for words, a, b in shifts:
        ratio, ms = _shift(rows, a, b)
        if not math.isnan(ratio):
            lines.append(
                f"- {words[0].upper() + words[1:]}: {ratio:.2f}x the client p50 ({ms:+.1f} ms),"
                " the median over the tools."
            )
    tool_rows = [r for r in rows if r["endpoint"] in TARGETS and r["conns"] == 1]
    if tool_rows:
        widest = max(tool_rows, key=lambda r: _spread_width(r))
        ratio = widest["ratios"]["/healthz"]["client_p50"]
        lines.append(
            f"- Round-to-round spread: the widest p10-p90 of a p50 ratio is {widest['endpoint']}"
            f" ({widest['auth']}, {widest['cache']}): {ratio['p10']:.1f}x to {ratio['p90']:.1f}x."
        )
    lines += _summary_trips(results["queries"])
    lines += _summary_breakdown(results.get("breakdown", {}))
    hooks = results.get("webhooks")
    if hooks and hooks["floor"]["rps"]:
        share, low, high = webhook_share(hooks)
        lines.append(
            f"- Webhooks (half duplicates): {hooks['run']['rps']:.0f} req/s,"
            f" {share:.0%} [{low:.0%}-{high:.0%}] of the floor's {hooks['floor']['rps']:.0f}"
            f" (median round; target {WEBHOOK_SHARE:.0%}: {_ok(share >= WEBHOOK_SHARE)});"
            f" server p99 {_ms(hooks['run']['server_p99'])} ms."
        )
    week = _find(rows, "schedule week page", "session")
    if week:
        lines.append(
            f"- The week page (session, 10,000-event user, {7 * 7} events in its week): client"
            f" p50 {_ms(week['client_p50'])} ms, {_r(week['ratios']['bare view']['client_p50'])}"
            " the bare view."
        )
    workers = results.get("workers")
    if workers:
        same = workers["start"] == workers["end"]
        lines.append(
            "- gunicorn workers recycled during the run: "
            + ("none (the same pids at the start and the end)." if same else "**yes**.")
        )
    return [*lines, ""]


def _spread_width(row: dict) -> float:
    ratio = row["ratios"]["/healthz"]["client_p50"]
    return ratio["p90"] - ratio["p10"]


def _summary_breakdown(split: dict) -> list[str]:
    if not split:
        return []
    parts = [
        f"{name} {_ms(b['total_ms'])} ms = {_ms(b['database_ms'])} ms waiting on PostgreSQL"
        f" ({b['statements']:g} statements and commits) + {_ms(b['python_ms'])} ms of Python"
        for name, b in split.items()
    ]
    return [
        "- Where a tool call's time goes (in-process, token path, 10,000-event user, median of"
        f" {next(iter(split.values()))['n']} calls): " + "; ".join(parts) + "."
    ]


def _breakdown(split: dict) -> list[str]:
    if not split:
        return []
    lines = [
        "## Where a tool call's time goes",
        "",
        "In-process (Django's test client, no HTTP server), token path, the 10,000-event user,"
        " warm connection, median of each tool's calls. *PostgreSQL* is the time spent waiting"
        " on its statements and commits, timed at the client (each is one round trip plus the"
        " server's work, a durable commit's flush included); *Python* is the rest of the"
        " request: Django's middleware, the relay, the tool's own work and its words.",
        "",
        "| tool | n | in Django, ms | PostgreSQL, ms | statements + commits | Python, ms |",
        "|---|---|---|---|---|---|",
    ]
    for name, b in split.items():
        lines.append(
            f"| {name} | {b['n']} | {_ms(b['total_ms'])} | {_ms(b['database_ms'])} |"
            f" {b['statements']:g} | {_ms(b['python_ms'])} |"
        )
    return [*lines, ""]


def _summary_trips(q: dict) -> list[str]:
    lines = []
    for auth in AUTHS:
        split = q["split"].get("list_schedule_events", {}).get(auth)
        total = q["tools"]["list_schedule_events"].get(auth, {}).get("10000")
        logged = q.get("django", {}).get("list_schedule_events", {}).get(auth)
        if split and total is not None:
            lines.append(
                f"- A read (list_schedule_events, {auth}) is {total} round trips on the wire:"
                f" {split['transaction']} BEGIN/COMMIT, {split['health']} health check,"
                f" {split['auth']} to find the caller and conversation, {split['limit']} for the"
                f" rate limit, {split['record']} to record the call, {split['tool']} for the"
                f" tool. Django's own log shows {logged}."
            )
    for auth, r in q.get("redis", {}).items():
        lines.append(
            f"- On Redis, the same read ({auth}) is {r['postgres']} PostgreSQL and"
            f" {len(r['redis'])} Redis round trips."
        )
    return lines


def write(results: dict) -> Path:
    path = Path(__file__).resolve().parent / "RESULTS.md"
    lines = [
        "# DRAKO bench results",
        "",
        "Written by `make bench` (bench/run.py) from one run; see bench/README.md for what each"
        f" figure means. Whole run: {results['total_s']:.0f} s of measurement. Every sentence"
        " here is generated from this run's numbers; the reasoning behind the changes is in"
        " bench/NOTES.md, which is not a record of any run.",
        "",
        *_machine(results["machine"]),
        *_summary(results),
        *_latency(results["latency"], results["commit"]),
        *_queries(results["queries"]),
        *_breakdown(results.get("breakdown", {})),
        *_webhooks(results["webhooks"]),
        *_isolation(results["isolation"], results["latency"]),
        *_context(results["context"]),
        *_load(results["load"]),
    ]
    path.write_text("\n".join(lines))
    return path


if __name__ == "__main__":
    print(write(json.loads((Path(__file__).resolve().parent / "out" / "results.json").read_text())))

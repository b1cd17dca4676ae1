"""Writes bench/RESULTS.md from the phases' numbers, each target beside its figure.

`python -m bench.report` rewrites it from bench/out/results.json, the last run's numbers.
"""

import json
import math
from pathlib import Path

USERS = ("1", "1000", "10000")
TOOL_P99_UNLOADED, TOOL_P99_FOUR = 10.0, 25.0
QUERY_BUDGET = 3
WEBHOOK_RPS, WEBHOOK_P99 = 1000.0, 50.0


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


def _latency(lat: dict, commit: dict) -> list[str]:
    rows = [
        "## Tool-call latency (relay endpoint, token auth, 10,000-event user)",
        "",
        "Server = the app's own time (bench middleware header); client = round trip on loopback."
        " Ratio = server time ÷ the floor's server time at the same percentile and concurrency.",
        "",
        "| endpoint | conns | n | errors | server p50 | server p99 | target p99 | |"
        " client p50 | client p99 | ratio p50 | ratio p99 |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    floor = lat["floor"]
    for c, s in floor.items():
        rows.append(
            f"| floor (JsonResponse) | {c} | {s['n']} | {s['errors']} | {_ms(s['server_p50'])} |"
            f" {_ms(s['server_p99'])} | | | {_ms(s['client_p50'])} | {_ms(s['client_p99'])} |"
            " 1 | 1 |"
        )
    for name, by_c in lat["tools"].items():
        for c, s in by_c.items():
            target = TOOL_P99_UNLOADED if str(c) == "1" else TOOL_P99_FOUR
            ratio50 = s["server_p50"] / floor[c]["server_p50"]
            ratio99 = s["server_p99"] / floor[c]["server_p99"]
            rows.append(
                f"| {name} | {c} | {s['n']} | {s['errors']} | {_ms(s['server_p50'])} |"
                f" {_ms(s['server_p99'])} | ≤ {target:.0f} | {_ok(s['server_p99'] <= target)} |"
                f" {_ms(s['client_p50'])} | {_ms(s['client_p99'])} |"
                f" {ratio50:.0f}x | {ratio99:.0f}x |"
            )
    for name, s in lat.get("four_users", {}).items():
        ratio50 = s["server_p50"] / floor["4"]["server_p50"]
        ratio99 = s["server_p99"] / floor["4"]["server_p99"]
        rows.append(
            f"| {name}, 4 users in turn | 4 | {s['n']} | {s['errors']} | {_ms(s['server_p50'])} |"
            f" {_ms(s['server_p99'])} | ≤ {TOOL_P99_FOUR:.0f} |"
            f" {_ok(s['server_p99'] <= TOOL_P99_FOUR)} | {_ms(s['client_p50'])} |"
            f" {_ms(s['client_p99'])} | {ratio50:.0f}x | {ratio99:.0f}x |"
        )
    rows += [
        "",
        "The rows above put all 4 connections on one user's conversation, so that user's"
        " schedule writes (confirm, undo) queue on the user's own lock, by design. A live"
        " conversation makes one call at a time; the last rows spread the calls over 4 users.",
        "",
        f"One durable commit on this disk (INSERT of one row + COMMIT, nothing else, from the"
        f" bench process; synchronous_commit={commit['synchronous_commit']}): p50"
        f" {_ms(commit['p50'])} ms, p99 {_ms(commit['p99'])} ms. Every tool call commits once"
        " (its exactly-once record), so this is a floor under every tool call's latency.",
        "",
    ]
    return rows


def _queries(q: dict) -> list[str]:
    rows = [
        "## Queries per tool call",
        "",
        "Counted in-process (Django test client, CaptureQueriesContext) on the same PostgreSQL"
        " database. Every statement counts, savepoints and `SET` included; the outer"
        " transaction's BEGIN/COMMIT do not. Split for the 10,000-event user: finding the caller"
        " and the conversation (token: one query does both; session, as the live page relays:"
        " the session, the user, then the conversation), recording the call (its exactly-once"
        " ToolCall row) and the tool's schedule work. Target: at most 3 per call (token)."
        " Session and user lookups are Django's own for signed-in pages.",
        "",
        "| tool | caller + conversation (token / session) | record | tool work |"
        " total, token: 1 / 1k / 10k events | total, session: 1 / 1k / 10k | ≤ 3 (token) |"
        " constant |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, by_auth in q["tools"].items():
        token = by_auth.get("token", {})
        session = by_auth.get("session", {})
        split = q["split"].get(name, {})
        t, s_ = split.get("token"), split.get("session")
        counts = [token.get(u) for u in USERS]
        constant = len(set(map(str, counts))) == 1
        budget = _ok(all(isinstance(c, int) and c <= QUERY_BUDGET for c in counts))
        rows.append(
            f"| {name} | {t['auth'] if t else '-'} / {s_['auth'] if s_ else '-'} |"
            f" {t['record'] if t else '-'} | {t['tool'] if t else '-'} |"
            f" {' / '.join(map(str, counts))} |"
            f" {' / '.join(str(session.get(u, '-')) for u in USERS)} | {budget} |"
            f" {_ok(constant)} |"
        )
    rows += [
        "",
        "## Queries per page (session auth)",
        "",
        "| page | 1 event | 10 | 1,000 | 10,000 | constant |",
        "|---|---|---|---|---|---|",
    ]
    for page, by_n in q["pages"].items():
        counts = [by_n[n] for n in ("1", "10", "1000", "10000")]
        rows.append(
            f"| {page} | {' | '.join(map(str, counts))} | {_ok(len(set(map(str, counts))) == 1)} |"
        )
    rows += ["", "SQL of one call per tool (10,000-event user, token auth):", ""]
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


def _webhooks(w: dict) -> list[str]:
    r, f = w["run"], w["floor"]
    return [
        "## Webhook ingestion",
        "",
        f"{w['unique']} distinct Tavus events (replica_joined, perception_analysis, shutdown,"
        f" transcription_ready, recording_ready for {w['unique'] // 5} conversations), each"
        f" delivered twice in shuffled order: {w['deliveries']} deliveries, half duplicates;"
        " 2 client processes x 4 keep-alive connections. The floor row is the same client"
        " against the floor endpoint, just before.",
        "",
        "| run | deliveries | errors | req/s | server p50 | server p99 | client p50 | client p99"
        " | target | |",
        "|---|---|---|---|---|---|---|---|---|---|",
        f"| webhooks | {r['n']} | {r['errors']} | {r['rps']:.0f} | {_ms(r['server_p50'])} |"
        f" {_ms(r['server_p99'])} | {_ms(r['client_p50'])} | {_ms(r['client_p99'])} |"
        f" ≥ {WEBHOOK_RPS:.0f}/s, p99 ≤ {WEBHOOK_P99:.0f} ms |"
        f" throughput {_ok(r['rps'] >= WEBHOOK_RPS)}, p99 {_ok(r['server_p99'] <= WEBHOOK_P99)} |",
        f"| floor | {f['n']} | {f['errors']} | {f['rps']:.0f} | {_ms(f['server_p50'])} |"
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
    for c in ("1", "4"):
        s, base = iso[c], lat["tools"]["list_schedule_events"][c]
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


def write(results: dict) -> Path:
    path = Path(__file__).resolve().parent / "RESULTS.md"
    lines = [
        "# DRAKO bench results",
        "",
        "Written by `make bench` (bench/run.py); see bench/README.md for what each figure means."
        f" Whole run: {results['total_s']:.0f} s of measurement.",
        "",
        *_machine(results["machine"]),
        *_latency(results["latency"], results["commit"]),
        *_queries(results["queries"]),
        *_webhooks(results["webhooks"]),
        *_isolation(results["isolation"], results["latency"]),
        *_context(results["context"]),
        *_load(results["load"]),
    ]
    notes_file = Path(__file__).resolve().parent / "NOTES.md"
    if notes_file.exists():
        lines += [notes_file.read_text()]
    path.write_text("\n".join(lines))
    return path


if __name__ == "__main__":
    print(write(json.loads((Path(__file__).resolve().parent / "out" / "results.json").read_text())))

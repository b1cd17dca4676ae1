"""Endpoints measured in rounds, beside floors measured in the same rounds.

A machine shared with other work speeds up and slows down from one minute to the next, so a floor
measured once, minutes before or after the figure it is compared with, says little. Here every
round sends a short batch to each floor and then to each endpoint, one after the other, and a
ratio is taken within a round (an endpoint's p50 ÷ a floor's p50 in that same round, and the
same for p99). A figure is then the median of its per-round ratios, printed with their p10-p90,
so the spread shows how far the machine let the rounds disagree.
"""

import math
import statistics
import time
from dataclasses import dataclass, field

from bench.loadgen import Req, percentile, run_closed

HOST = "127.0.0.1"


@dataclass
class Endpoint:
    """One line of the table: a name, the server it is sent to, and a batch of requests."""

    name: str
    port: int
    batch: "callable"  # (n) -> list[Req], fresh requests each round (new ids, new proposals)
    server_ms: list[float] = field(default_factory=list)
    client_ms: list[float] = field(default_factory=list)
    errors: int = 0
    rounds: list[dict] = field(default_factory=list)  # per round: p50/p99, server and client


def _batch(endpoint: Endpoint, n: int, concurrency: int, warm: Req) -> dict:
    """n requests; the first on each connection (its TCP connect) is a warm-up left out."""
    run = run_closed(HOST, endpoint.port, [warm] * concurrency + endpoint.batch(n), concurrency, 60)
    samples = run.samples[concurrency:]
    ok = [s for s in samples if s.status == 200]
    endpoint.errors += len(samples) - len(ok)
    server = [s.server_ms for s in ok]
    client = [s.client_ms for s in ok]
    endpoint.server_ms += server
    endpoint.client_ms += client
    figures = {
        "server_p50": percentile(server, 50),
        "server_p99": percentile(server, 99),
        "client_p50": percentile(client, 50),
        "client_p99": percentile(client, 99),
    }
    endpoint.rounds.append(figures)
    return figures


def measure(endpoints: list[Endpoint], *, rounds: int, n: int, concurrency: int) -> float:
    """`rounds` rounds; each sends every endpoint a batch of n, in list order (floors first).
    Returns a round's median length in seconds."""
    lengths = []
    for _ in range(rounds):
        started = time.monotonic()
        for endpoint in endpoints:
            _batch(endpoint, n, concurrency, Req("GET", "/bench/floor"))
        lengths.append(time.monotonic() - started)
    return statistics.median(lengths)


def spread(values: list[float]) -> dict:
    values = sorted(v for v in values if not math.isnan(v))
    if not values:
        return {"median": math.nan, "p10": math.nan, "p90": math.nan}
    return {
        "median": statistics.median(values),
        "p10": percentile(values, 10),
        "p90": percentile(values, 90),
    }


def summary(endpoint: Endpoint, floors: dict[str, Endpoint]) -> dict:
    """Pooled percentiles, and the per-round ratios to each floor (median, p10, p90)."""
    out = {
        "n": len(endpoint.server_ms) + endpoint.errors,
        "errors": endpoint.errors,
        "rounds": len(endpoint.rounds),
        "server_p50": percentile(endpoint.server_ms, 50),
        "server_p99": percentile(endpoint.server_ms, 99),
        "client_p50": percentile(endpoint.client_ms, 50),
        "client_p99": percentile(endpoint.client_ms, 99),
        "ratios": {},
    }
    for floor_name, floor in floors.items():
        for key in ("server_p50", "server_p99", "client_p50", "client_p99"):
            per_round = [
                mine[key] / theirs[key]
                for mine, theirs in zip(endpoint.rounds, floor.rounds, strict=True)
                if theirs[key] and not math.isnan(theirs[key])
            ]
            out["ratios"].setdefault(floor_name, {})[key] = spread(per_round)
    return out

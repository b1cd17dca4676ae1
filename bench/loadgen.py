"""A small HTTP load generator on http.client: keep-alive connections, threads and processes.

It imports nothing from Django, so `spawn`ed client processes start fast. Every loop is bounded
in count (the request list) and in time (a deadline); targets are loopback only.
"""

import http.client
import itertools
import math
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context

SERVER_HEADER = "X-Bench-Server-Us"
LOOPBACK = ("127.0.0.1", "localhost")


@dataclass(frozen=True)
class Req:
    method: str
    path: str
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Sample:
    status: int  # -1: no answer (connection error or deadline)
    client_ms: float
    server_ms: float  # NaN when the server sent no timing header


@dataclass
class Run:
    samples: list[Sample] = field(default_factory=list)
    elapsed_s: float = 0.0
    retries: int = 0
    span: tuple[float, float] = (0.0, 0.0)  # wall-clock start and end (time.time())

    @property
    def errors(self) -> int:
        return sum(1 for s in self.samples if s.status != 200)

    def throughput(self) -> float:
        return len(self.samples) / self.elapsed_s if self.elapsed_s else 0.0


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    values = sorted(v for v in values if not math.isnan(v))
    if not values:
        return math.nan
    rank = max(math.ceil(q / 100 * len(values)), 1)
    return values[rank - 1]


def _check_host(host: str) -> None:
    if host not in LOOPBACK and not host.startswith("127."):
        raise ValueError(f"The bench only sends traffic to loopback, not {host}.")


class _Client:
    """One keep-alive connection; reconnects (and retries once) when the server closed it."""

    def __init__(self, host: str, port: int, keep_alive: bool = True):
        _check_host(host)
        self.host, self.port, self.keep_alive = host, port, keep_alive
        self.conn: http.client.HTTPConnection | None = None
        self.retries = 0

    def send(self, req: Req) -> Sample:
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            started = time.perf_counter()
            try:
                headers = dict(req.headers)
                if not self.keep_alive:
                    headers["Connection"] = "close"
                self.conn.request(req.method, req.path, body=req.body, headers=headers)
                response = self.conn.getresponse()
                response.read()
            except (ConnectionError, http.client.HTTPException, TimeoutError, OSError):
                self.close()
                if attempt == 0:
                    self.retries += 1  # every bench request is idempotent (ids, dedupe keys)
                    continue
                return Sample(-1, (time.perf_counter() - started) * 1000, math.nan)
            client_ms = (time.perf_counter() - started) * 1000
            server = response.getheader(SERVER_HEADER)
            if not self.keep_alive or response.will_close:
                self.close()
            return Sample(response.status, client_ms, int(server) / 1000 if server else math.nan)
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def run_closed(
    host: str,
    port: int,
    requests: list[Req],
    concurrency: int,
    timeout_s: float,
    start_at: float | None = None,
) -> Run:
    """Sends `requests` over `concurrency` connections, each sending its next as soon as it may."""
    if start_at is not None:
        time.sleep(max(start_at - time.time(), 0))
    deadline = time.perf_counter() + timeout_s
    order = itertools.count()
    results: list[Sample | None] = [None] * len(requests)
    clients = [_Client(host, port) for _ in range(concurrency)]

    def work(client: _Client) -> None:
        while time.perf_counter() < deadline:
            i = next(order)  # itertools.count is atomic under the GIL
            if i >= len(requests):
                break
            results[i] = client.send(requests[i])
        client.close()

    started, wall_start = time.perf_counter(), time.time()
    threads = [threading.Thread(target=work, args=(c,), daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(deadline - time.perf_counter(), 0) + 35)
    run = Run(
        elapsed_s=time.perf_counter() - started,
        retries=sum(c.retries for c in clients),
        span=(wall_start, time.time()),
    )
    run.samples = [s for s in results if s is not None]
    return run


def _closed_in_child(args) -> Run:
    return run_closed(*args)


def run_processes(
    host: str,
    port: int,
    requests: list[Req],
    processes: int,
    concurrency_per_process: int,
    timeout_s: float,
) -> Run:
    """run_closed in several client processes at once, so the client's GIL is not the limit."""
    chunks = [requests[i::processes] for i in range(processes)]
    start_at = time.time() + 2.0  # every process is up before the first request goes out
    context = get_context("spawn")
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
        args = [(host, port, c, concurrency_per_process, timeout_s, start_at) for c in chunks]
        runs = list(pool.map(_closed_in_child, args, timeout=timeout_s + 60))
    # From the first process's start to the last one's end: a process that woke late would
    # otherwise run partly alone, and the slowest one's own time would overstate the rate.
    first, last = min(r.span[0] for r in runs), max(r.span[1] for r in runs)
    total = Run(elapsed_s=last - first, retries=sum(r.retries for r in runs), span=(first, last))
    for r in runs:
        total.samples.extend(r.samples)
    return total


def run_schedule(
    host: str, port: int, plans: list[list[tuple[float, Req]]], timeout_s: float
) -> Run:
    """Open loop: one thread per plan sends each request at its offset (seconds from the start)."""
    started = time.perf_counter()
    deadline = started + timeout_s
    results: list[list[Sample]] = [[] for _ in plans]
    retries = [0] * len(plans)

    def work(i: int, plan: list[tuple[float, Req]]) -> None:
        # A fresh connection per call: 5 s apart, a kept-alive one would meet the server's
        # keep-alive timeout exactly then.
        client = _Client(host, port, keep_alive=False)
        for offset, req in plan:
            wait = started + offset - time.perf_counter()
            if started + offset > deadline:
                break
            if wait > 0:
                time.sleep(wait)
            results[i].append(client.send(req))
        retries[i] = client.retries

    threads = [threading.Thread(target=work, args=(i, p), daemon=True) for i, p in enumerate(plans)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(deadline - time.perf_counter(), 0) + 35)
    run = Run(elapsed_s=time.perf_counter() - started, retries=sum(retries))
    for samples in results:
        run.samples.extend(samples)
    return run

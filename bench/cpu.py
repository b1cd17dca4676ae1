"""CPU seconds spent by the app (gunicorn and its workers), PostgreSQL and the whole machine.

Read from /proc before and after a phase, to say what one request costs in CPU, not only in
time. Exited processes still count: their time is in their parent's cutime/cstime once reaped
(gunicorn recycles workers; PostgreSQL backends come and go with connections).
"""

import os
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may hold spaces: split after it.
    return text[text.rindex(")") + 2 :].split()


def _own(fields: list[str]) -> float:
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def _reaped(fields: list[str]) -> float:
    return (int(fields[13]) + int(fields[14])) / TICK  # cutime, cstime


def _processes() -> list[tuple[int, str, int]]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                name = (entry / "comm").read_text().strip()
            except OSError:
                continue
            fields = _stat(int(entry.name))
            if fields:
                found.append((int(entry.name), name, int(fields[1])))  # pid, comm, ppid
    return found


def snapshot(server_pid: int) -> dict[str, float]:
    """Cumulative CPU seconds: app (the gunicorn tree), postgres, machine (all cores, busy)."""
    procs = _processes()
    app = 0.0
    master = _stat(server_pid)
    if master:
        app += _own(master) + _reaped(master)
    app += sum(_own(_stat(pid) or ["0"] * 15) for pid, _, ppid in procs if ppid == server_pid)
    postgres = 0.0
    pg = {pid for pid, name, _ in procs if name.startswith("postgres")}
    for pid, _, ppid in procs:
        if pid in pg:
            fields = _stat(pid) or ["0"] * 15
            postgres += _own(fields) + (_reaped(fields) if ppid not in pg else 0.0)
    cpu = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    busy = sum(int(v) for i, v in enumerate(cpu[:8]) if i not in (3, 4)) / TICK  # not idle/iowait
    return {"app": app, "postgres": postgres, "machine": busy}


def used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {key: after[key] - before[key] for key in before}

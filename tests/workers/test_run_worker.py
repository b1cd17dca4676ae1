"""`manage.py run_worker` as a real process: it runs periodic work and stops cleanly."""

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

BASE_DIR = Path(__file__).resolve().parents[2]
DEADLINE_SECONDS = 90


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        "TASKS_URL": "",
        "TAVUS_API_KEY": "",
        "TAVUS_API_URL": "http://127.0.0.1:9/v2",
        "LOG_LEVEL": "INFO",
    }


def _read_until(process: subprocess.Popen, text: str) -> list[str]:
    """Reads the process's output until a line contains `text` (EOF fails the test)."""
    seen = []
    for line in process.stdout:
        seen.append(line)
        if text in line:
            return seen
    raise AssertionError(f"the worker exited without printing {text!r}:\n{''.join(seen)}")


def test_worker_process_sweeps_without_cron_and_stops_on_sigterm(tmp_path):
    env = _env(tmp_path)
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, timeout=DEADLINE_SECONDS)
    worker = subprocess.Popen(
        [*manage, "run_worker"],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    # A hung worker is killed, which ends its output and fails the read below.
    watchdog = threading.Timer(DEADLINE_SECONDS, worker.kill)
    watchdog.start()
    try:
        _read_until(worker, "conversations.tasks.conversation_sweep_task state=SUCCESSFUL")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait() == 0
    finally:
        watchdog.cancel()
        if worker.poll() is None:
            worker.kill()
        worker.stdout.close()


@pytest.mark.parametrize("interval", ["0", "-1"])
def test_run_worker_refuses_a_pointless_interval(interval):
    with pytest.raises(CommandError, match="--interval"):
        call_command("run_worker", "--interval", interval)

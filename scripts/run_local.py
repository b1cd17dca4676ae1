"""`make run`: Django's development server and the background worker, stopped together.

Ctrl-C reaches every process in the terminal's group, so each stops itself (the worker lets a
running task finish); SIGTERM sent to this script alone is passed on. When either process exits
on its own, the other is stopped too, and this script exits with the first one's status.
"""

import os
import signal
import subprocess
import sys

STOP_TIMEOUT_SECONDS = 20


class Terminated(Exception):
    """This script was sent SIGTERM."""


def _raise_terminated(signum, frame):
    raise Terminated


def _start(address: str) -> dict[int, subprocess.Popen]:
    manage = [sys.executable, "manage.py"]
    # Fixed commands; the address comes from the Makefile's HOST and PORT.
    processes = [
        subprocess.Popen([*manage, "runserver", address]),  # noqa: S603
        subprocess.Popen([*manage, "run_worker", "--reload"]),  # noqa: S603
    ]
    return {process.pid: process for process in processes}


def _stop(processes, signum: int | None) -> None:
    for process in processes:
        if signum is not None and process.poll() is None:
            process.send_signal(signum)
    for process in processes:
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main(address: str) -> int:
    signal.signal(signal.SIGTERM, _raise_terminated)
    processes = _start(address)
    status, forward = 0, None
    try:
        pid, wait_status = os.wait()  # the first child to exit ends the session
        status = os.waitstatus_to_exitcode(wait_status)
        print(f"run_local: {processes.pop(pid).args[2]} exited ({status}); stopping the rest")
        forward = signal.SIGTERM
    except KeyboardInterrupt:
        status = 130  # the children got the same Ctrl-C
    except Terminated:
        status, forward = 143, signal.SIGTERM
    _stop(processes.values(), forward)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:8000"))

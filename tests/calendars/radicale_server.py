"""A real Radicale CalDAV server for the tests: on loopback, a free port, temporary storage."""

import socket
import subprocess
import sys
import threading
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Radicale:
    def __init__(self, storage: Path) -> None:
        self.port = _free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", "",
             "--server-hosts", f"127.0.0.1:{self.port}",
             "--storage-filesystem-folder", str(storage),
             "--auth-type", "none", "--logging-level", "info"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        # Ready when it says so: read its log instead of polling the port.
        for line in self.process.stdout:
            if "server ready" in line.lower():
                break
        else:
            raise RuntimeError("Radicale did not start")
        # Keep draining its log so it never blocks on a full pipe.
        self._drain = threading.Thread(target=self._discard_log, daemon=True)
        self._drain.start()

    def _discard_log(self) -> None:
        for _line in self.process.stdout:
            pass

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

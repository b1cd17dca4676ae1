"""A real Radicale CalDAV server for the tests: on loopback, a free port, temporary storage.

Without `htpasswd` anyone gets in with any password; with it, Radicale checks each login
against that file (re-read on every request, so a test can change a password meanwhile)."""

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
    def __init__(self, storage: Path, *, htpasswd: Path | None = None) -> None:
        self.port = _free_port()
        self.storage, self.htpasswd = storage, htpasswd
        auth = ["--auth-type", "none"]
        if htpasswd is not None:
            # No delay after a refused login (the default waits a second), no caches: a changed
            # password counts from the next request.
            auth = ["--auth-type", "htpasswd", "--auth-htpasswd-filename", str(htpasswd),
                    "--auth-htpasswd-encryption", "autodetect", "--auth-delay", "0",
                    "--no-auth-htpasswd-cache", "--no-auth-cache-logins"]  # fmt: skip
        self.process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", "",
             "--server-hosts", f"127.0.0.1:{self.port}",
             "--storage-filesystem-folder", str(storage),
             *auth, "--logging-level", "info"],
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

    def password_set(self, username: str, password: str) -> None:
        """Gives `username` this password (the only one that works from now on)."""
        from passlib.hash import sha512_crypt  # Radicale's own dependency, for its htpasswd

        lines = [line for line in self.htpasswd.read_text().splitlines()
                 if not line.startswith(f"{username}:")]  # fmt: skip
        # Few rounds: Radicale checks the hash on every request.
        lines.append(f"{username}:{sha512_crypt.using(rounds=1000).hash(password)}")
        fresh = self.htpasswd.with_suffix(".new")
        fresh.write_text("\n".join(lines) + "\n")
        fresh.replace(self.htpasswd)  # atomic: Radicale never reads half a file

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

"""Round trips counted where they happen: PostgreSQL's protocol on the wire, Redis at its socket.

`WireCounter` is a loopback proxy between Django and PostgreSQL that reads what the client sends.
Every round trip is a message the client then waits on: a simple Query (`Q`: how psycopg sends
Django's statements and BEGIN, COMMIT, ROLLBACK and the connection health check's `SELECT 1`), or
an extended-protocol batch, which ends in a Sync (`S`). The proxy counts those and keeps each
one's SQL (a prepared statement's by the name its Parse gave it), so nothing Django's own query
log leaves out (the transaction's BEGIN and COMMIT, the health check, statements psycopg issues
itself) is missed. Connect through it without TLS or
GSS encryption (`WireCounter.options`), or there is nothing to read.

`redis_round_trips` counts redis-py's writes to its socket: one per command, or one per pipeline.
"""

import contextlib
import os
import socket
import struct
import threading

# The bench's own Redis database (run.py empties it): the Redis server's cache and the counts.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
SSL_REQUEST, GSSENC_REQUEST = 80877103, 80877104


class WireCounter:
    """A counting proxy to PostgreSQL on 127.0.0.1; `statements` has one entry per round trip."""

    options = {"sslmode": "disable", "gssencmode": "disable"}

    def __init__(self, upstream_port: int = 5432, upstream_host: str = "127.0.0.1"):
        self.upstream = (upstream_host, upstream_port)
        self.statements: list[str] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._closed = False

    def start(self) -> "WireCounter":
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self) -> None:
        self._closed = True
        self._listener.close()

    def count(self) -> int:
        with self._lock:
            return len(self.statements)

    def since(self, mark: int) -> list[str]:
        with self._lock:
            return self.statements[mark:]

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            threading.Thread(target=_pump, args=(server, client), daemon=True).start()
            threading.Thread(target=self._read, args=(client, server), daemon=True).start()

    def _read(self, client: socket.socket, server: socket.socket) -> None:
        """Forwards the client's bytes unchanged, counting its round trips on the way."""
        reader = client.makefile("rb")
        with contextlib.suppress(OSError, ValueError), reader:
            while True:  # untagged startup packets first (SSL/GSS requests are refused upstream)
                head = reader.read(8)
                length, code = struct.unpack("!ii", head)
                server.sendall(head + reader.read(length - 8))
                if code not in (SSL_REQUEST, GSSENC_REQUEST):
                    break
            prepared: dict[bytes, str] = {}  # statement name -> its SQL, per connection
            parsed, bound = [], []
            while head := reader.read(5):
                tag, length = head[:1], struct.unpack("!i", head[1:])[0]
                body = reader.read(length - 4)
                if tag == b"Q":
                    self._add(body[:-1].decode(errors="replace"))
                elif tag == b"P":  # Parse: statement name \0 query \0 ...
                    name, query = body.split(b"\0")[:2]
                    prepared[name] = query.decode(errors="replace")
                    parsed.append(prepared[name])
                elif tag == b"B":  # Bind: portal \0 statement name \0 ...: runs a statement
                    bound.append(prepared.get(body.split(b"\0")[1], "(unknown statement)"))
                elif tag == b"S":
                    # A batch that only parses is a statement being prepared (psycopg's
                    # first run of a prepared statement on a connection).
                    label = "; ".join(bound) or "; ".join(f"PREPARE {q}" for q in parsed)
                    self._add(label or "(sync)")
                    parsed, bound = [], []
                server.sendall(head + body)
        for sock in (client, server):
            with contextlib.suppress(OSError):
                sock.close()

    def _add(self, sql: str) -> None:
        with self._lock:
            self.statements.append(sql.strip())


def _pump(source: socket.socket, target: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            target.sendall(data)
    for sock in (source, target):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


class RedisRoundTrips:
    """Counts redis-py's socket writes (each is answered before the client goes on)."""

    def __init__(self):
        self.commands: list[str] = []

    @contextlib.contextmanager
    def counting(self):
        from redis.connection import AbstractConnection

        original = AbstractConnection.send_packed_command

        def send(conn, command, check_health=True):
            packed = b"".join(map(bytes, command)) if isinstance(command, list) else command
            # RESP: *<n> $<len> NAME ...; a pipeline is several, sent in one write.
            names = packed.split(b"\r\n")[2::2][:1]
            count = packed.count(b"\r\n*") + 1
            name = names[0].decode(errors="replace") if names else "?"
            self.commands.append(name if count == 1 else f"{name} (+{count - 1} pipelined)")
            return original(conn, command, check_health)

        AbstractConnection.send_packed_command = send
        try:
            yield self
        finally:
            AbstractConnection.send_packed_command = original

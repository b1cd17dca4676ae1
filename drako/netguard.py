"""Outgoing HTTP to addresses that users hand us: calendar feeds, CalDAV servers, push endpoints.

A user-given URL must never make DRAKO reach its own network (the database, Redis, a cloud's
metadata service at 169.254.169.254): that is server-side request forgery. `check_url` refuses a
URL whose host resolves to any address that is not globally routable. `session()` is a requests
session that checks again at the moment it connects, on every redirect hop, and connects to the
very address it checked — a name that resolved to a public address for the check cannot resolve
to 10.0.0.1 for the connection (DNS rebinding).

`allow_private=True` lifts the refusal, for tests and for servers on the user's own network
(CALENDAR_ALLOW_PRIVATE_HOSTS).
"""

import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

MAX_REDIRECTS = 3


class UnsafeAddress(ValueError):
    """The URL is malformed, not http(s), or its host is (or resolves to) a non-public address."""


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone id ("fe80::1%eth0")
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int, *, allow_private: bool) -> str:
    """The address to connect to for (host, port); refuses if any address it has is not public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeAddress(f"{host} could not be resolved.") from error
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise UnsafeAddress(f"{host} could not be resolved.")
    # Refusing when *any* address is private: a name with one public and one private address
    # would otherwise reach the private one whenever it came first.
    if not allow_private and not all(_is_public(address) for address in addresses):
        raise UnsafeAddress(f"{host} is on a private network; DRAKO only connects to public hosts.")
    return addresses[0]


def check_url(url: str, *, allow_private: bool) -> None:
    """Refuses (UnsafeAddress) a URL that is not http(s) or whose host is not public."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise UnsafeAddress("That is not a valid address.") from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeAddress("Only http:// and https:// addresses can be used.")
    resolve(parts.hostname, port, allow_private=allow_private)


def _guarded(connection_class: type, *, allow_private: bool) -> type:
    class GuardedConnection(connection_class):
        def _new_conn(self):
            checked = resolve(self._dns_host, self.port, allow_private=allow_private)
            # Connect to the address just checked; TLS still verifies the certificate against
            # self.host, which is untouched.
            self._dns_host = checked
            return super()._new_conn()

    return GuardedConnection


class _GuardedAdapter(HTTPAdapter):
    def __init__(self, *, allow_private: bool) -> None:
        self._allow_private = allow_private
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        allow = self._allow_private

        class GuardedHTTPPool(HTTPConnectionPool):
            ConnectionCls = _guarded(HTTPConnection, allow_private=allow)

        class GuardedHTTPSPool(HTTPSConnectionPool):
            ConnectionCls = _guarded(HTTPSConnection, allow_private=allow)

        self.poolmanager.pool_classes_by_scheme = {
            "http": GuardedHTTPPool,
            "https": GuardedHTTPSPool,
        }

    def proxy_manager_for(self, *args, **kwargs):
        # A proxy would connect on our behalf, past the check.
        raise UnsafeAddress("Outgoing requests to user-given addresses do not use a proxy.")


def session(*, allow_private: bool) -> requests.Session:
    """A requests session that only ever connects to public addresses (unless allow_private)."""
    guarded = requests.Session()
    guarded.trust_env = False  # no proxies, .netrc credentials or CA bundles from the environment
    guarded.max_redirects = MAX_REDIRECTS
    adapter = _GuardedAdapter(allow_private=allow_private)
    guarded.mount("http://", adapter)
    guarded.mount("https://", adapter)
    return guarded

"""Fetching a subscribed feed: the only code that speaks HTTP to a calendar's address.

Every hop goes through drako.netguard (private addresses refused, checked again at connect
time), redirects are followed by hand so each hop is checked and counted, and the body is
read in chunks against a size bound and a deadline: a slow or huge feed fails in words
instead of holding a worker.
"""

import time
from dataclasses import dataclass
from urllib.parse import urljoin

import requests
from django.conf import settings
from django.utils.translation import gettext as _

from calendars.errors import CalendarError
from drako import netguard

MAX_BYTES = 5 * 1024 * 1024
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 10
DEADLINE_SECONDS = 30
MAX_REDIRECTS = 3
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Fetched:
    body: bytes | None  # None: not modified since the ETag / Last-Modified we sent
    etag: str
    last_modified: str


def unsafe_words(url: str) -> str:
    """Why an address is refused, in words (netguard's own message is for the log)."""
    return _(
        "DRAKO can't reach %(url)s: it is not a public https:// address (addresses on a private "
        "network are refused)."
    ) % {"url": url}


def feed_fetch(*, url: str, etag: str = "", last_modified: str = "") -> Fetched:
    """GETs a feed, conditionally; raises CalendarError with the reason in words."""
    allow_private = settings.CALENDAR_ALLOW_PRIVATE_HOSTS
    headers = {"Accept": "text/calendar, */*;q=0.5", "User-Agent": "DRAKO calendar"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + DEADLINE_SECONDS
    with netguard.session(allow_private=allow_private) as session:
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                netguard.check_url(url, allow_private=allow_private)
            except netguard.UnsafeAddress:
                raise CalendarError(unsafe_words(url)) from None
            response = _get(session, url, headers)
            if response.is_redirect:
                url = urljoin(url, response.headers.get("Location", ""))
                response.close()
                continue
            with response:
                return _read(response, url, deadline)
    raise CalendarError(_("The calendar's address redirects too many times."))


def _get(session: requests.Session, url: str, headers: dict) -> requests.Response:
    try:
        return session.get(
            url,
            headers=headers,
            allow_redirects=False,
            stream=True,
            timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
        )
    except netguard.UnsafeAddress:
        raise CalendarError(unsafe_words(url)) from None
    except requests.Timeout:
        raise CalendarError(_("The calendar's server took too long to answer.")) from None
    except requests.RequestException:
        raise CalendarError(
            _("The calendar's server could not be reached. Check the address.")
        ) from None


def _read(response: requests.Response, url: str, deadline: float) -> Fetched:
    if response.status_code == 304:
        return Fetched(None, response.headers.get("ETag", ""), "")
    if response.status_code in (401, 403, 404, 410):
        raise CalendarError(
            _("The calendar's server refused the address (HTTP %(status)s): it may have been "
              "reset or made private.") % {"status": response.status_code}
        )  # fmt: skip
    if response.status_code != 200:
        raise CalendarError(
            _("The calendar's server answered with an error (HTTP %(status)s).")
            % {"status": response.status_code}
        )
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > MAX_BYTES:
        raise CalendarError(_too_big())
    body = bytearray()
    try:
        for chunk in response.iter_content(CHUNK):
            body += chunk
            if len(body) > MAX_BYTES:
                raise CalendarError(_too_big())
            if time.monotonic() > deadline:
                raise CalendarError(_("The calendar's server took too long to send it."))
    except requests.RequestException:
        raise CalendarError(_("The calendar's server took too long to send it.")) from None
    return Fetched(
        bytes(body), response.headers.get("ETag", ""), response.headers.get("Last-Modified", "")
    )


def _too_big() -> str:
    return _("The calendar is larger than %(mb)s MB; DRAKO can't subscribe to it.") % {
        "mb": MAX_BYTES // (1024 * 1024)
    }

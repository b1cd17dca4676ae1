"""The sign-in guard: every door that checks a password passes through `admit` first.

The doors are the sign-in page, the admin's sign-in, `POST /api/auth/token/`, the password change
and account deletion; all of them call `authenticate()`, and accounts.backends runs this guard
there, so no door can forget it. Each attempt is counted atomically *before* the password is
checked, in the cache every worker shares, so a parallel burst cannot overshoot:

- per client address, a hard limit: LOGIN_RATE_LIMIT failed checks per 15 minutes;
- per account, a progressive delay, never a lock: FREE_ATTEMPTS failures, then one attempt per
  interval that doubles (15 s, 30 s, 1 min, ... at most an hour). Each known device of the owner
  (accounts.devices: a signed cookie from an earlier sign-in, or from an emailed unlock link)
  counts on its own, so a stranger's guessing never keeps the owner out.
"""

import math
import unicodedata
from dataclasses import dataclass
from time import time as _clock

from django.conf import settings
from django.core.exceptions import ValidationError

from drako import ratelimit

FREE_ATTEMPTS = 5
FIRST_DELAY_SECONDS = 15
MAX_DELAY_SECONDS = 60 * 60
# A streak of failures is forgotten a day after it started (or at the owner's next sign-in).
STREAK_SECONDS = 24 * 60 * 60
IDENTITY_MAX = 254


class SignInThrottled(ValidationError):
    """Raised instead of checking a password; a form shows it like any sign-in error."""

    def __init__(self, message: str, *, retry_after: int, per_account: bool) -> None:
        super().__init__(message, code="throttled")
        self.retry_after = retry_after
        self.per_account = per_account


@dataclass(frozen=True)
class Ticket:
    """An admitted attempt: what `settle` gives back or forgets once the password is checked."""

    address: str
    account: str


def normalise_identity(identity: str) -> str:
    """A username or email as sign-in compares it: NFKC (as Django's form does), case-folded."""
    return unicodedata.normalize("NFKC", identity).casefold().strip()[:IDENTITY_MAX]


def account_key(*, user_pk: int | None, identity: str, device: str | None) -> str:
    """The per-account counter: the account itself when the identity names one (so its username
    and its email share one count), else the normalised identity; one of its own per device."""
    key = f"user:{user_pk}" if user_pk is not None else f"name:{normalise_identity(identity)}"
    return f"{key}:device:{device}" if device else key


def _say_wait(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} seconds"
    return f"{math.ceil(seconds / 60)} minutes"


def _admit_address(address: str) -> None:
    used = ratelimit.count(
        scope="signin-address", key=address, window_seconds=settings.RATE_LIMIT_WINDOW_SECONDS
    )
    if used > settings.LOGIN_RATE_LIMIT:
        ratelimit.give_back(scope="signin-address", key=address)
        wait = settings.RATE_LIMIT_WINDOW_SECONDS
        raise SignInThrottled(
            f"Too many sign-in attempts from your address. Try again in {_say_wait(wait)}.",
            retry_after=wait,
            per_account=False,
        )


def delay_after(failures: int) -> int:
    """Seconds the next attempt must wait after `failures` failures in a row."""
    if failures < FREE_ATTEMPTS:
        return 0
    return min(FIRST_DELAY_SECONDS * 2 ** (failures - FREE_ATTEMPTS), MAX_DELAY_SECONDS)


def _admit_account(account: str) -> None:
    attempt = ratelimit.count(scope="signin-streak", key=account, window_seconds=STREAK_SECONDS)
    if attempt <= FREE_ATTEMPTS:
        return
    # Past the free attempts, one attempt per interval: whoever claims the gate goes through,
    # and the gate stays closed for the next interval. A refused attempt checks no password,
    # so it is not counted: hammering does not lengthen the wait.
    wait = delay_after(attempt - 1)
    if ratelimit.claim(scope="signin-gate", key=account, value=_clock() + wait, seconds=wait):
        return
    ratelimit.give_back(scope="signin-streak", key=account)
    opens_at = ratelimit.holder(scope="signin-gate", key=account) or _clock() + wait
    retry_after = max(1, math.ceil(opens_at - _clock()))
    raise SignInThrottled(
        f"Too many sign-in attempts for this account. Try again in {_say_wait(retry_after)}.",
        retry_after=retry_after,
        per_account=True,
    )


def admit(request, *, account: str) -> Ticket:
    """Counts one password check for the client's address and the account, before it happens;
    raises SignInThrottled when either must wait (then nothing is counted)."""
    address = ratelimit.client_address(request) if request is not None else "internal"
    _admit_address(address)
    try:
        _admit_account(account)
    except SignInThrottled:
        ratelimit.give_back(scope="signin-address", key=address)
        raise
    return Ticket(address=address, account=account)


def settle(ticket: Ticket, *, succeeded: bool) -> None:
    """After the check: a success gives the address its attempt back and ends the streak."""
    if not succeeded:
        return
    ratelimit.give_back(scope="signin-address", key=ticket.address)
    forget(account=ticket.account)


def forget(*, account: str) -> None:
    """Ends an account's (or a device's) streak of failures."""
    ratelimit.reset(scope="signin-streak", key=account)
    ratelimit.release(scope="signin-gate", key=account)

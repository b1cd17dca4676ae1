"""How often one user may start calls and make tool calls: every door shares these budgets.

The page's button and the API share the start budget; the relay, Tavus's signed delivery, a
person's clicks and the playground share the tool-call budget. Counted in the shared cache.
"""

from django.utils.translation import gettext as _

from conversations.errors import TooManyRequests
from drako import ratelimit

WINDOW_SECONDS = 60


def per_user_minute(*, scope: str, user_id: int, limit: int, message: str) -> None:
    """Counts one request of `scope` for the user; TooManyRequests past `limit` a minute."""
    hit = ratelimit.hit(scope=scope, key=str(user_id), limit=limit, window_seconds=WINDOW_SECONDS)
    if not hit.allowed:
        raise TooManyRequests(
            message, say=_("I'm getting too many requests right now. Give me a minute.")
        )

"""Reads of personas (for users picking one) and of Tavus's replica list (for the admin)."""

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import User
from drako import tavus
from personas.models import Persona

REPLICAS_CACHE_KEY = "personas:tavus-replicas"
_REPLICAS_FOR = 300
# A failed lookup is remembered briefly so a slow Tavus does not slow every admin page.
_REPLICAS_FAILURE_FOR = 30


class ReplicasUnavailable(Exception):
    """Tavus's replica list could not be fetched; `message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def persona_list_pickable() -> QuerySet[Persona]:
    """Personas a user may pick: the user-selectable ones and the default, default first."""
    return Persona.objects.filter(Q(user_selectable=True) | Q(is_default=True))


def persona_get_for_user(*, user: User, persona_id: int | str) -> Persona:
    """A persona this user may pick, or Http404 (personas are shared, so any user may pick)."""
    try:
        return persona_list_pickable().get(pk=int(persona_id))
    except (Persona.DoesNotExist, TypeError, ValueError, OverflowError) as error:
        raise Http404("No such persona.") from error


def replica_choices() -> list[tuple[str, str]]:
    """(id, label) of Tavus's stock and own replicas, cached; ReplicasUnavailable on failure."""
    cached = cache.get(REPLICAS_CACHE_KEY)
    if isinstance(cached, str):
        raise ReplicasUnavailable(cached)
    if cached is not None:
        return cached
    if not tavus.is_configured():
        raise ReplicasUnavailable("Tavus is not configured (TAVUS_API_KEY is empty).")
    try:
        replicas = tavus.list_replicas(replica_type="system") + tavus.list_replicas(
            replica_type="user"
        )
    except tavus.TavusError as error:
        cache.set(REPLICAS_CACHE_KEY, error.message, _REPLICAS_FAILURE_FOR)
        raise ReplicasUnavailable(error.message) from error
    choices = {r.replica_id: f"{r.replica_name or 'Unnamed'} ({r.replica_id})" for r in replicas}
    result = sorted(choices.items(), key=lambda item: item[1].lower())
    cache.set(REPLICAS_CACHE_KEY, result, _REPLICAS_FOR)
    return result

"""Every API endpoint but the public ones refuses anonymous callers."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

PUBLIC = {"api:auth-token", "api:schema", "api:docs"}
# Tavus-facing endpoints authenticate by their own secrets (tested with them).
OWN_AUTH_PREFIXES = ("api:tavus-",)


def _api_routes():
    resolver = next(
        p
        for p in get_resolver().url_patterns
        if isinstance(p, URLResolver) and p.namespace == "api"
    )

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield f"api:{p.name}", "/api/" + prefix + str(p.pattern), p

    return list(walk(resolver.url_patterns, ""))


def _concrete(route: str) -> str:
    for converter in (
        "<int:event_id>",
        "<int:change_id>",
        "<int:conversation_id>",
        "<int:calendar_id>",
        "<str:token>",
        "<str:name>",
        "<int:subscription_id>",
    ):
        route = route.replace(converter, "1")
    return route


ROUTES = [r for r in _api_routes() if r[0] not in PUBLIC and not r[0].startswith(OWN_AUTH_PREFIXES)]


def test_there_are_api_routes_to_check():
    assert len(ROUTES) >= 5


@pytest.mark.parametrize("name,route,pattern", ROUTES, ids=[r[0] for r in ROUTES])
@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_anonymous_is_refused(client, name, route, pattern, method):
    response = getattr(client, method)(_concrete(route), content_type="application/json")
    # DRF authenticates before it looks for the method's handler, so even 405s are 401s here.
    assert response.status_code == 401, (name, method, response.status_code)
    assert "detail" in response.json()


@pytest.mark.parametrize("name,route,pattern", ROUTES, ids=[r[0] for r in ROUTES])
def test_bad_token_is_refused(client, name, route, pattern):
    response = client.get(_concrete(route), HTTP_AUTHORIZATION="Token not-a-real-token")
    assert response.status_code == 401

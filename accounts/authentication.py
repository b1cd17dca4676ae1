"""The API's token authentication: `Authorization: Token <key>`, keys stored only as digests,
and a way for a hot view to load what it needs in the same query that checks the key."""

import re

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts.models import API_KEY_LENGTH, ApiToken, api_key_digest

KEY_SHAPE = re.compile(rf"[0-9a-f]{{{API_KEY_LENGTH}}}")


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>`, answered as DRF's own token authentication answers.

    A view may define `user_for_token(request, key)`: one query that checks the key and loads
    the view's object with its user (the tool-call relay, on every turn of a call). It returns
    the user, or None when the key doesn't lead to its object; then the ordinary lookup runs, so
    the answers stay the same (401 for a bad key, then the view's own 404).
    """

    keyword = "Token"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header: Token <key>.")
        try:
            key = parts[1].decode("ascii")
        except UnicodeError:
            key = ""
        if not KEY_SHAPE.fullmatch(key):  # checked by shape before any query
            raise exceptions.AuthenticationFailed("Invalid token.")
        view = request.parser_context.get("view")
        preload = getattr(view, "user_for_token", None)
        user = preload(request, key) if preload else None
        if user is None:
            token = ApiToken.objects.select_related("user").filter(digest=api_key_digest(key))
            user = next((found.user for found in token[:1]), None)
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed("Invalid token.")
        return user, None  # the key itself goes no further than this check

    def authenticate_header(self, request) -> str:
        return self.keyword


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """How the API schema (and schemathesis, which reads it) names this authentication."""

    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`: make a key on your profile or at /api/auth/token/.",
        }

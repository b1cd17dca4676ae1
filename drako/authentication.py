"""The API's token authentication: DRF's, plus a way for a hot view to load what it needs in the
same query that checks the token."""

from rest_framework import authentication
from rest_framework.authtoken.models import Token


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`, as DRF reads it.

    A view may define `user_for_token(request, key)`: one query that checks the key and loads
    the view's object with its user (the tool-call relay, on every turn of a call). It returns
    the user, or None when the key doesn't lead to its object; then the ordinary lookup runs, so
    the answers stay exactly DRF's (401 for a bad key, then the view's own 404).
    """

    def authenticate(self, request):
        view = request.parser_context.get("view")
        preload = getattr(view, "user_for_token", None)
        parts = authentication.get_authorization_header(request).split()
        if preload and len(parts) == 2 and parts[0].lower() == self.keyword.lower().encode():
            try:
                key = parts[1].decode()
            except UnicodeError:
                key = ""
            user = preload(request, key) if key else None
            if user is not None and user.is_active:
                return user, Token(key=key, user=user)
        return super().authenticate(request)

"""The signed-in user: read with the session, and the time zone pages are rendered in."""

from django.contrib import auth
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from accounts import sessions


class SessionUserMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware, with the user read in the session's own query.

    `request.user` is what django.contrib.auth.get_user(request) says, as with Django's; while
    it runs, the backend may take the user row read with the session (accounts.sessions)
    instead of querying for it.
    """

    def process_request(self, request):
        super().process_request(request)  # its checks, and request.auser
        request.user = SimpleLazyObject(lambda: _user(request))


def _user(request):
    if not hasattr(request, "_cached_user"):
        with sessions.reading_user_of(request.session):
            request._cached_user = auth.get_user(request)
    return request._cached_user


class UserTimezoneMiddleware:
    """Renders every page in the signed-in user's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(user.tz)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

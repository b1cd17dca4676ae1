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


def own_time_zone(view):
    """Marks a view that activates the time zone it answers in itself: UserTimezoneMiddleware
    then leaves the signed-in user unread for the view to read as it needs (the tool-call
    relay reads the session, its user and the conversation in one query)."""
    view.own_time_zone = True
    return view


class UserTimezoneMiddleware:
    """Runs every view in the signed-in user's own time zone (a view marked own_time_zone
    activates its own), and leaves none active between requests.

    Activated as the view is called (process_view), not as the request comes in, so that a
    marked view finds the session still unread. A response made before any view runs (a URL
    that resolves to nothing, a CSRF refusal) shows no time, and is made in the default zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timezone.deactivate()  # nothing left from this thread's last request
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "own_time_zone", False):
            activate_user_time_zone(request)
        return None


def activate_user_time_zone(request) -> None:
    """Activates the signed-in user's time zone for the rest of the request, if anyone is."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        timezone.activate(user.tz)

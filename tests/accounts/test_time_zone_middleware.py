"""accounts.middleware.UserTimezoneMiddleware: a view runs in the signed-in user's zone, and a
view marked own_time_zone finds the user unread."""

from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from accounts.middleware import UserTimezoneMiddleware, own_time_zone


def _zone_view(request):
    return HttpResponse(timezone.get_current_timezone_name())


def _through(request, view):
    """The request through the middleware as Django's handler runs it: process_view, then the
    view, inside the middleware's __call__."""

    def inner(request):
        return middleware.process_view(request, view, (), {}) or view(request)

    middleware = UserTimezoneMiddleware(inner)
    return middleware(request)


def test_a_view_runs_in_the_signed_in_users_zone_and_the_zone_ends_with_it(user):
    user.time_zone = "Pacific/Auckland"
    user.save(update_fields=["time_zone"])
    request = RequestFactory().get("/")
    request.user = user
    assert _through(request, _zone_view).content == b"Pacific/Auckland"
    assert timezone.get_current_timezone_name() != "Pacific/Auckland"  # not left on the thread
    request.user = AnonymousUser()
    assert _through(request, _zone_view).content.decode() == timezone.get_default_timezone_name()


def test_a_zone_left_on_the_thread_is_gone_before_the_next_request():
    timezone.activate("Asia/Kolkata")  # as a request that failed to deactivate it would leave it
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert _through(request, _zone_view).content.decode() == timezone.get_default_timezone_name()


def test_a_view_marked_own_time_zone_finds_the_user_unread():
    read = []
    request = RequestFactory().get("/")
    request.user = SimpleLazyObject(lambda: read.append(1) or AnonymousUser())
    response = _through(request, own_time_zone(lambda request: _zone_view(request)))
    assert response.status_code == 200 and read == []
    _through(request, _zone_view)
    assert read == [1]  # an unmarked view's zone is read from the user

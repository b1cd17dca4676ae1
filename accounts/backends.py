"""Authentication: Django's ModelBackend behind the sign-in guard, by username or by email."""

import unicodedata

from django.contrib.auth.backends import ModelBackend

from accounts import devices, guard, sessions
from accounts.models import User
from drako.prepared import PreparedQuery, row_id


def user_for_identity(identity: str) -> User | None:
    """The account a sign-in names: its username (NFKC, as Django compares it), or an email
    address that exactly one account has (case-insensitive); None for no such account."""
    username = unicodedata.normalize("NFKC", identity).strip()
    if "\x00" in username:
        return None  # no account has one, and PostgreSQL refuses it in a query
    user = User.objects.filter(username=username).first()
    if user is None and "@" in username:
        # Two accounts sharing an address (from before addresses were kept unique) name neither.
        matches = list(User.objects.filter(email__iexact=username)[:2])
        user = matches[0] if len(matches) == 1 else None
    return user


class GuardedModelBackend(ModelBackend):
    """Every password check in DRAKO goes through here, so every door is guarded the same way.

    A throttled attempt raises accounts.guard.SignInThrottled (a ValidationError) out of
    `authenticate()`: sign-in forms show it as their error; the token API answers 429.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if not isinstance(username, str) or not username or password is None:
            return None
        user = user_for_identity(username[: guard.IDENTITY_MAX])
        device = devices.device_for(request, user_pk=user.pk) if user else None
        account = guard.account_key(
            user_pk=user.pk if user else None, identity=username, device=device
        )
        ticket = guard.admit(request, account=account)
        if user is None:
            User().set_password(password)  # as ModelBackend: as slow as a real check
            succeeded = False
        else:
            succeeded = user.check_password(password) and self.user_can_authenticate(user)
        guard.settle(ticket, succeeded=succeeded)
        return user if succeeded else None

    def get_user(self, user_id):
        """The session's user, as ModelBackend loads it: the row read with the session when it
        is this user's (accounts.sessions), else by a query compiled once (drako.prepared)."""
        pk = row_id(user_id)
        user = sessions.user_read_with_session(pk) if pk is not None else None
        if user is None:
            rows = _USER_BY_PK.rows(pk=pk) if pk is not None else []
            user = sessions.user_from_row(rows[0]) if rows else None
        return user if user is not None and self.user_can_authenticate(user) else None


_USER_BY_PK = PreparedQuery(
    lambda pk: User.objects.filter(pk=pk).values_list(*sessions.USER_COLUMNS), pk=int
)

"""Django's database sessions, with the session's user read in the same query.

Every signed-in request loads its session and then its user: two queries, each built by the ORM
at every request. Here one query, compiled once (drako.prepared), reads the live session and, by
the user id its row keeps (accounts.models.Session.user, set when the session is saved), that
user's row. Django's own code still decides who is signed in (django.contrib.auth.get_user: the
backend named in the session, the user id in the session's data, the password hash): the
middleware (accounts.middleware.SessionUserMiddleware) hands the row read here to the backend's
get_user, which takes it only for the id the session's data names, and loads the user itself
otherwise. Saving writes the user's id beside the data; creating, expiring and clearing are
Django's own.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.db import connection
from django.utils import timezone

from accounts.models import Session, User
from drako.prepared import PreparedQuery, row_id

# A user's row as the session's query and the backend's read it (accounts.backends).
USER_COLUMNS = [f.attname for f in User._meta.concrete_fields]
_USER_PK = USER_COLUMNS.index(User._meta.pk.attname)
_KEY_CHARS = frozenset(VALID_KEY_CHARS)
# A live session's row: its data, its expiry and its user's columns (each None for no user).
SESSION_COLUMNS = ("session_data", "expire_date", *(f"user__{name}" for name in USER_COLUMNS))
SESSION_USER_ID = SESSION_COLUMNS.index(f"user__{User._meta.pk.attname}")


def live_sessions(session_key: str, now: datetime):
    """The live session with this key, as a QuerySet a caller may extend (join, annotate) and
    read with its own columns after SESSION_COLUMNS (SessionStore.load_from_row)."""
    return Session.objects.filter(session_key=session_key, expire_date__gt=now)


_LIVE_SESSION = PreparedQuery(
    lambda session_key, now: live_sessions(session_key, now).values_list(*SESSION_COLUMNS),
    session_key=str,
    now=datetime,
)
_UNREAD = object()
# The session whose row was read with its user, while django.contrib.auth.get_user runs.
_READING: ContextVar["SessionStore | None"] = ContextVar("session_reading_user", default=None)


class SessionStore(db.SessionStore):
    _user_row: tuple | None = None
    _read_elsewhere = _UNREAD  # a row of SESSION_COLUMNS read by a caller's query (or None)

    @classmethod
    def get_model_class(cls):
        return Session

    def key_to_read(self) -> str | None:
        """The key to read this session by, while it is still unread; None once it is read,
        or when the cookie's key is none Django makes (a NUL, which PostgreSQL refuses in
        text, among them): no session, as an unknown key is, not a database error."""
        if hasattr(self, "_session_cache"):
            return None
        key = self.session_key  # None when the cookie's key isn't a valid one
        return key if key and set(key) <= _KEY_CHARS else None

    def load_from_row(self, row: tuple | None) -> None:
        """Loads this unread session from `row`, its SESSION_COLUMNS as a caller's query read
        them with its own (None: no live session has its key), exactly as reading it would."""
        self._read_elsewhere = row
        try:
            self._get_session()
        finally:
            self._read_elsewhere = _UNREAD

    def _get_session_from_db(self):
        self._user_row = None
        if (row := self._read_elsewhere) is _UNREAD:
            key = self.key_to_read()
            rows = _LIVE_SESSION.rows(session_key=key, now=timezone.now()) if key else []
            row = rows[0] if rows else None
        if row is None:
            self._session_key = None
            return None
        data, expire_date, *user = row
        self._user_row = tuple(user) if user[_USER_PK] is not None else None
        return Session(session_key=self.session_key, session_data=data, expire_date=expire_date)

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        instance.user_id = row_id(data.get(SESSION_KEY))
        return instance

    async def acreate_model_instance(self, data):
        instance = await super().acreate_model_instance(data)
        instance.user_id = row_id(data.get(SESSION_KEY))
        return instance

    def user_read_with_it(self, pk) -> User | None:
        """The user row read with this session, if it is user `pk`'s (else None: load it).
        Once: a second look in the same request (after a password change, say) loads it."""
        row, self._user_row = self._user_row, None
        if row is None or row_id(pk) != row[_USER_PK]:
            return None
        return user_from_row(row)


def user_from_row(row) -> User:
    """A User from a row of USER_COLUMNS, as the ORM would load it."""
    return User.from_db(connection.alias, USER_COLUMNS, row)


@contextmanager
def reading_user_of(session):
    """Lets the authentication backend take the user row read with `session` (if any)."""
    token = _READING.set(session if isinstance(session, SessionStore) else None)
    try:
        yield
    finally:
        _READING.reset(token)


def user_read_with_session(pk) -> User | None:
    """The user `pk` as read with the session being authenticated, or None."""
    session = _READING.get()
    return session.user_read_with_it(pk) if session is not None else None

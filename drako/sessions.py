"""Django's database sessions, loaded by a query compiled once (drako.prepared).

Every signed-in request loads its session first; the ORM spent longer building that query than
the database spent answering it. Saving, creating and expiring are Django's own.
"""

from datetime import datetime

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from drako.prepared import PreparedQuery

_LIVE_SESSION = PreparedQuery(
    lambda session_key, now: Session.objects.filter(
        session_key=session_key, expire_date__gt=now
    ).values_list("session_data", "expire_date"),
    session_key=str,
    now=datetime,
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        key = self.session_key  # None when the cookie's key isn't a valid one
        rows = _LIVE_SESSION.rows(session_key=key, now=timezone.now()) if key else []
        if not rows:
            self._session_key = None
            return None
        data, expire_date = rows[0]
        return Session(session_key=key, session_data=data, expire_date=expire_date)

"""The CalDAV passwords DRAKO keeps, encrypted with a key derived from CALENDAR_SECRET_KEY.

Fernet (AES-128-CBC + HMAC-SHA256) from `cryptography`; the Fernet key is derived from the
setting with HKDF, so any long random string works as CALENDAR_SECRET_KEY. Without the setting
nothing is stored and CalDAV is unavailable. Rotating the setting makes stored passwords
unreadable: those calendars fail to sync, in words, until given their password again.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils.translation import gettext as _

from calendars.errors import CalendarError


def _fernet() -> Fernet:
    secret = settings.CALENDAR_SECRET_KEY
    if not secret:
        raise CalendarError(
            _("CalDAV is unavailable: this DRAKO has no CALENDAR_SECRET_KEY to encrypt "
              "passwords with. Ask its administrator to set one."),
            status=503,
        )  # fmt: skip
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"drako calendars caldav password"
    ).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def password_encrypt(password: str) -> str:
    """The password as stored: a Fernet token."""
    return _fernet().encrypt(password.encode()).decode()


def password_decrypt(token: str) -> str:
    """The stored password, or CalendarError when the key has changed since."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise CalendarError(
            _("The stored password can't be read any more (the server's key changed). "
              "Disconnect this calendar and connect it again.")
        ) from None  # fmt: skip

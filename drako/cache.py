"""Django's database cache, with `add` and `incr` made atomic across processes.

Django's own `incr` on the database cache is a read, then a write of the whole value with the
default timeout: two workers counting at once lose a count, and the count's window restarts. The
rate limits count with `add` + `incr`, so both lock the row they read (SQLite serialises writers
already: DRAKO opens its transactions IMMEDIATE).
"""

import base64
import pickle

from django.core.cache.backends import db
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.db import connections, models, router, transaction
from django.utils.timezone import now


class DatabaseCache(db.DatabaseCache):
    """The database cache, safe for counters shared by every worker."""

    def _locked_row(self, cursor, connection, key: str):
        quote = connection.ops.quote_name
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        cursor.execute(
            # Quoted names and a bound key: nothing here comes from a request.
            f"SELECT {quote('value')}, {quote('expires')} FROM {quote(self._table)} "  # noqa: S608
            f"WHERE {quote('cache_key')} = %s{lock}",
            [key],
        )
        row = cursor.fetchone()
        if row is None:
            return None
        expression = models.Expression(output_field=models.DateTimeField())
        expires = row[1]
        for convert in connection.ops.get_db_converters(expression) + expression.get_db_converters(
            connection
        ):
            expires = convert(expires, expression, connection)
        return None if expires < now() else row[0]

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # Locking an expired row first means only one of two racing adds can take it over.
        alias = router.db_for_write(self.cache_model_class)
        made = self.make_and_validate_key(key, version=version)
        with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
            self._locked_row(cursor, connections[alias], made)
            return self._base_set("add", made, value, timeout)

    def incr(self, key, delta=1, version=None):
        alias = router.db_for_write(self.cache_model_class)
        connection = connections[alias]
        made = self.make_and_validate_key(key, version=version)
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            stored = self._locked_row(cursor, connection, made)
            if stored is None:
                raise ValueError(f"Key '{key}' not found")
            # The cache's own rows, written by Django's DatabaseCache as pickles (as it reads them).
            stored = base64.b64decode(connection.ops.process_clob(stored))
            value = pickle.loads(stored) + delta  # noqa: S301
            quote = connection.ops.quote_name
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {quote(self._table)} SET {quote('value')} = %s "  # noqa: S608
                f"WHERE {quote('cache_key')} = %s",
                [encoded, made],
            )
        return value

"""The bench's round-trip counter (bench/wire.py) against a real PostgreSQL on loopback."""

import psycopg
import pytest
from django.db import connection

from bench.wire import WireCounter

pytestmark = pytest.mark.django_db


@pytest.fixture
def wire():
    if connection.vendor != "postgresql":
        pytest.skip("bench/wire.py reads PostgreSQL's protocol")
    settings = connection.settings_dict
    counter = WireCounter(upstream_port=int(settings["PORT"] or 5432)).start()
    yield counter, settings
    counter.stop()


def _through(counter, settings, **options) -> psycopg.Connection:
    """A connection to the test database through the counting proxy."""
    return psycopg.connect(
        host="127.0.0.1",
        port=counter.port,
        user=settings["USER"],
        dbname=settings["NAME"],
        **counter.options,
        **options,
    )


def test_every_round_trip_counts_transaction_control_included(wire):
    counter, settings = wire
    with _through(counter, settings) as conn:
        mark = counter.count()
        with conn.transaction():
            conn.execute("SELECT 1")  # simple protocol: one Query message
            conn.execute("SELECT %s::int", [2])  # extended protocol: Parse ... Sync, one trip
        assert counter.since(mark) == ["BEGIN", "SELECT 1", "SELECT $1::int", "COMMIT"]
        assert conn.execute("SELECT 40 + 2").fetchone() == (42,)  # answers pass through intact


def test_a_prepared_statement_is_named_by_its_sql_each_time_it_runs(wire):
    counter, settings = wire
    with _through(counter, settings, autocommit=True) as conn:
        mark = counter.count()
        for n in range(3):
            assert conn.execute("SELECT %s::int + 1", [n], prepare=True).fetchone() == (n + 1,)
        trips = counter.since(mark)
        ran = [t for t in trips if not t.startswith("PREPARE")]
        assert ran == ["SELECT $1::int + 1"] * 3, trips
        assert len(trips) - len(ran) <= 1  # at most once prepared, on its own trip

"""drako.counters: shared fixed-window counts, atomic, one round trip, in the database or Redis."""

import threading

import pytest
import redis
from django.db import connection, connections

from drako import counters
from drako.models import RateCounter

REDIS_URL = "redis://127.0.0.1:6379/7"


def _redis_or_skip() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379: the Redis counters are tested in CI")
    return client


@pytest.fixture(params=["database", "redis"])
def store(request, settings):
    """Each test runs against both stores; the Redis one on a database of its own, emptied."""
    if request.param == "redis":
        client = _redis_or_skip()
        client.flushdb()
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
            }
        }
        yield request.param
        client.flushdb()
    else:
        request.getfixturevalue("transactional_db")
        yield request.param


def _end_window(store: str, name: str) -> None:
    """Make `name`'s window end now, as the clock would."""
    if store == "redis":
        redis.Redis.from_url(REDIS_URL).delete(counters._REDIS_PREFIX + name)
    else:
        RateCounter.objects.filter(name=name).update(resets_at=0)


def test_counts_in_a_window_and_starts_again_after_it(store):
    assert [counters.count("a", window_seconds=60) for _ in range(3)] == [1, 2, 3]
    assert counters.count("b", window_seconds=60) == 1
    _end_window(store, "a")
    assert counters.count("a", window_seconds=60) == 1


def test_give_back_uncounts_but_never_below_zero_or_after_the_window(store):
    counters.count("a", window_seconds=60)
    counters.count("a", window_seconds=60)
    counters.give_back("a")
    assert counters.current("a") == 1
    counters.give_back("a")
    counters.give_back("a")
    assert counters.current("a") == 0
    counters.give_back("never-counted")
    assert counters.current("never-counted") == 0
    assert counters.count("never-counted", window_seconds=60) == 1


def test_an_ended_window_counts_nothing_and_forget_drops_the_count(store):
    counters.count("a", window_seconds=60)
    counters.count("b", window_seconds=60)
    _end_window(store, "a")
    assert counters.current("a") == 0
    counters.forget("b")
    assert counters.current("b") == 0


def test_a_parallel_burst_never_overshoots(store):
    if store == "database" and connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database is one connection; PostgreSQL runs it in CI")
    # 24 threads on their own connections count at once: every count is handed out exactly once.
    results: list[int] = []
    barrier = threading.Barrier(24)

    def hit():
        barrier.wait()
        try:
            results.append(counters.count("burst", window_seconds=60))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=hit) for _ in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == list(range(1, 25))
    assert counters.current("burst") == 24


def test_the_redis_window_expires_by_itself():
    client = _redis_or_skip()
    client.flushdb()
    from django.test import override_settings

    cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    with override_settings(CACHES={"default": cache}):
        counters.count("a", window_seconds=90)
        counters.count("a", window_seconds=90)
    ttl = client.ttl(counters._REDIS_PREFIX + "a")
    assert 0 < ttl <= 90  # set by the first count only (EXPIRE NX), so the window does not slide
    client.flushdb()


def test_a_count_is_one_statement_on_the_database(db, django_assert_num_queries):
    counters.count("a", window_seconds=60)
    with django_assert_num_queries(1):
        assert counters.count("a", window_seconds=60) == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="UNLOGGED is PostgreSQL's")
def test_the_counter_table_is_unlogged_on_postgresql(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = 'drako_ratecounter'")
        assert cursor.fetchone() == ("u",)


def test_prune_deletes_only_ended_windows(db):
    counters.count("old", window_seconds=60)
    counters.count("live", window_seconds=60)
    RateCounter.objects.filter(name="old").update(resets_at=0)
    assert counters.prune() == 1
    assert list(RateCounter.objects.values_list("name", flat=True)) == ["live"]


def test_the_worker_prunes_ended_windows_every_hour(db):
    from datetime import timedelta

    from drako.tasks import rate_counters_prune
    from workers.periodic import periodic_tasks

    entries = {entry.name: entry for entry in periodic_tasks()}
    assert entries[rate_counters_prune.module_path].every == timedelta(hours=1)
    counters.count("old", window_seconds=60)
    RateCounter.objects.update(resets_at=0)
    assert rate_counters_prune.call() == 1
    assert not RateCounter.objects.exists()

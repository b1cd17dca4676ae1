from datetime import timedelta

import pytest

from tests.workers import jobs
from workers.retries import RetryPolicy, retry


def test_backoff_grows_by_the_factor():
    policy = RetryPolicy(attempts=4, backoff=timedelta(seconds=10), factor=3)
    assert [policy.delay(n) for n in (1, 2, 3)] == [
        timedelta(seconds=10),
        timedelta(seconds=30),
        timedelta(seconds=90),
    ]


@pytest.mark.parametrize(
    "options",
    [
        {"attempts": 0, "backoff": timedelta(seconds=1)},
        {"attempts": 3, "backoff": timedelta(0)},
        {"attempts": 3, "backoff": timedelta(seconds=1), "factor": 0.5},
    ],
)
def test_retry_refuses_options_that_make_no_sense(options):
    with pytest.raises(ValueError):
        retry(**options)


def test_retry_must_sit_below_task():
    with pytest.raises(TypeError, match="below @task"):
        retry(attempts=3, backoff=timedelta(seconds=1))(jobs.add)

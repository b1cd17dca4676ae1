"""/metrics: guarded by METRICS_TOKEN, and its counters move with what DRAKO does."""

import json

import pytest
from prometheus_client.parser import text_string_to_metric_families

from conversations import services
from drako import metrics, tavus
from tests.workers import jobs

TOKEN = "metrics-token-for-tests-0123456789"


@pytest.fixture
def scrape(client, settings):
    """Reads /metrics as a scraper does; returns {(name, labels...): value}."""
    settings.METRICS_TOKEN = TOKEN

    def _scrape() -> dict:
        response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain")
        samples = {}
        for family in text_string_to_metric_families(response.content.decode()):
            for sample in family.samples:
                samples[(sample.name, *sorted(sample.labels.items()))] = sample.value
        return samples

    return _scrape


def _delta(before: dict, after: dict, name: str, **labels) -> float:
    key = (name, *sorted(labels.items()))
    return after.get(key, 0) - before.get(key, 0)


def test_metrics_are_off_without_a_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.parametrize(
    "header", [None, "Bearer wrong-token", f"Token {TOKEN}", TOKEN, f"Bearer {TOKEN}x"]
)
def test_metrics_without_the_right_bearer_token_is_401(client, settings, header):
    settings.METRICS_TOKEN = TOKEN
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/metrics", **extra)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"django_http" not in response.content


@pytest.mark.django_db
def test_request_latency_is_counted_by_view(client, scrape):
    before = scrape()
    assert client.get("/healthz").status_code == 200
    assert client.get("/no/such/page").status_code == 404
    after = scrape()
    latency = "django_http_requests_latency_seconds_by_view_method_count"
    assert _delta(before, after, latency, view="healthz", method="GET") == 1
    assert _delta(before, after, latency, view="<unmatched>", method="GET") == 1
    responses = "django_http_responses_total_by_status_view_method_total"
    assert _delta(before, after, responses, status="200", view="healthz", method="GET") == 1


@pytest.fixture
def live_conversation(user, persona, fake_tavus, settings):
    settings.DRAKO_PUBLIC_URL = "https://drako.example.com"
    return services.conversation_start(user=user, persona=persona).conversation


def _relay(user_api, conversation, name: str):
    body = {"name": name, "arguments": json.dumps({"when": "today"})}
    return user_api.post(f"/api/conversations/{conversation.pk}/tool-calls/", body, format="json")


@pytest.mark.django_db
def test_tool_calls_are_counted_by_name_and_outcome(user_api, live_conversation, scrape, settings):
    before = scrape()
    assert _relay(user_api, live_conversation, "list_schedule_events").status_code == 200
    assert _relay(user_api, live_conversation, "launch_rockets").status_code == 200
    settings.TOOL_CALL_RATE_LIMIT = 2
    assert _relay(user_api, live_conversation, "list_schedule_events").status_code == 429
    after = scrape()
    name = "drako_tool_calls_total"
    assert _delta(before, after, name, tool="list_schedule_events", outcome="ok") == 1
    # A name outside the registry is user input: it never becomes a label of its own.
    assert _delta(before, after, name, tool="<unknown>", outcome="failed") == 1
    assert not any("launch_rockets" in str(key) for key in after)
    assert _delta(before, after, name, tool="list_schedule_events", outcome="refused") == 1


@pytest.mark.django_db
def test_tavus_calls_are_timed_and_their_errors_counted(fake_tavus, scrape):
    before = scrape()
    tavus.get_replica(replica_id="re8e740a42")
    fake_tavus.fail_next(503, {"error": "busy"}, times=2)
    with pytest.raises(tavus.TavusError):
        tavus.get_replica(replica_id="re8e740a42")
    after = scrape()
    duration = "drako_tavus_request_duration_seconds_count"
    path = "/replicas/{id}"
    assert _delta(before, after, duration, method="GET", path=path, outcome="200") == 1
    assert _delta(before, after, duration, method="GET", path=path, outcome="503") == 2
    errors = "drako_tavus_errors_total"
    assert _delta(before, after, errors, method="GET", path=path, outcome="503") == 2
    assert _delta(before, after, errors, method="GET", path=path, outcome="200") == 0


def test_tavus_network_errors_are_counted_by_class(settings, scrape):
    settings.TAVUS_API_KEY = "test-key"  # TAVUS_API_URL: loopback's discard port, nobody answers
    before = scrape()
    with pytest.raises(tavus.TavusUnavailable):
        tavus.get_replica(replica_id="re8e740a42")
    after = scrape()
    errors = "drako_tavus_errors_total"
    labels = {"method": "GET", "path": "/replicas/{id}", "outcome": "ConnectionError"}
    assert _delta(before, after, errors, **labels) == 2  # a read is tried twice


@pytest.mark.django_db
def test_task_queue_depth_follows_the_queue(scrape):
    before = scrape()
    jobs.add.enqueue(1, 2)
    jobs.add.enqueue(3, 4)
    after = scrape()
    assert _delta(before, after, "drako_task_queue_depth", queue="default") == 2


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("/conversations", "/conversations"),
        ("/conversations/c123abc/end", "/conversations/{id}/end"),
        ("/personas/p1af207b8189/tools/t42", "/personas/{id}/tools/{id}"),
        ("/replicas/re8e740a42?verbose=true", "/replicas/{id}"),
    ],
)
def test_tavus_paths_lose_their_ids(path, template):
    assert metrics.tavus_path_template(path) == template

"""/healthz tells the truth: 200 only when the database, the broker and a recent worker heartbeat answer."""

from datetime import timedelta

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from leoportal.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db

ALL_WELL = {"database": "ok", "broker": "ok", "worker": "ok"}


def beat(minutes_ago: float = 0):
    WorkerHeartbeat.objects.update_or_create(
        name="worker", defaults={"beat_at": timezone.now() - timedelta(minutes=minutes_ago)}
    )


def health(client):
    response = client.get(reverse("healthz"))
    return response.status_code, response.json()


@pytest.fixture
def redis_configured(settings):
    assert settings.REDIS_URL, "the suite runs with REDIS_URL (make test)"
    return settings


def test_healthz_is_200_when_database_broker_and_a_recent_heartbeat_answer(client, redis_configured):
    beat(minutes_ago=1)

    assert health(client) == (200, ALL_WELL)


def test_healthz_is_503_before_any_worker_sent_a_heartbeat(client, redis_configured):
    assert health(client) == (503, {**ALL_WELL, "worker": "no heartbeat yet"})


def test_healthz_is_503_when_the_last_heartbeat_is_old(client, redis_configured):
    beat(minutes_ago=12)

    assert health(client) == (503, {**ALL_WELL, "worker": "no heartbeat for 12 min"})


def test_healthz_heartbeat_age_limit_is_a_setting(client, redis_configured):
    redis_configured.WORKER_HEARTBEAT_MAX_AGE = 15 * 60
    beat(minutes_ago=12)

    assert health(client) == (200, ALL_WELL)


def test_healthz_is_503_naming_the_broker_when_redis_does_not_answer(client, redis_configured):
    redis_configured.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    beat()

    status, body = health(client)

    assert (status, body) == (503, {**ALL_WELL, "broker": "down"})


def test_healthz_is_503_naming_the_database_when_it_does_not_answer(client, redis_configured):
    beat()
    database = connections.settings["default"]  # the check opens a connection of its own from these settings
    port = database["PORT"]
    database["PORT"] = "1"
    try:
        status, body = health(client)
    finally:
        database["PORT"] = port

    assert (status, body) == (503, {**ALL_WELL, "database": "down"})


def test_healthz_without_redis_asks_only_the_database(client, settings):
    settings.REDIS_URL = None

    assert health(client) == (200, {"database": "ok"})


def test_healthz_names_no_host_port_or_version_when_something_is_down(client, redis_configured):
    redis_configured.REDIS_URL = "redis://127.0.0.1:1/0"

    response = client.get(reverse("healthz"), HTTP_ACCEPT="text/html")
    text = response.content.decode()

    assert response["Content-Type"] == "application/json"
    assert response.json() == {"database": "ok", "broker": "down", "worker": "no heartbeat yet"}
    assert [
        word for word in ("127.0.0.1", "6379", "redis", "Redis", "Django", "PostgreSQL", "5.2") if word in text
    ] == []

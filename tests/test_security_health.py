"""/healthz: database, broker and beat freshness for monitoring; 503 names the failing part."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mentorship.celery import app as celery_app
from mentorship.models import Heartbeat
from mentorship.tasks import beat_heartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_beat():
    beat_heartbeat.delay()
    return Heartbeat.objects.get(name="beat")


@pytest.mark.redis
def test_healthz_answers_200_when_database_broker_and_beat_are_fine(client, fresh_beat):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "beat": "ok", "deliveries": "ok",
                               "mail_server": {"state": "unknown"}}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_the_beat_schedule_writes_the_heartbeat():
    entry = celery_app.conf.beat_schedule["beat-heartbeat"]
    assert entry["task"] == "mentorship.tasks.beat_heartbeat"
    beat_heartbeat.delay()
    beat_heartbeat.delay()  # twice is harmless: one row, newest time
    assert Heartbeat.objects.filter(name="beat").count() == 1


def test_a_stale_heartbeat_is_reported_as_503(client, fresh_beat):
    Heartbeat.objects.filter(name="beat").update(at=timezone.now() - timedelta(minutes=30))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["beat"] == "stale"


def test_a_heartbeat_never_written_is_reported(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["beat"] == "never"


def test_a_dead_broker_is_reported_after_a_bounded_retry(client, settings, fresh_beat, broker_calls):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert 1 <= len(broker_calls) <= 4, broker_calls
    assert response.status_code == 503
    assert response.json()["broker"] == "down"
    assert response.json()["database"] == "ok"


def test_a_database_that_refuses_connections_is_reported(client, django_db_blocker):
    with django_db_blocker.block():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"
    assert response.json()["beat"] == "unknown"


def test_healthz_needs_no_sign_in_and_says_nothing_about_people(client, mentor, fresh_beat):
    response = client.get("/healthz")
    assert set(response.json()) == {"database", "broker", "beat", "deliveries", "mail_server"}
    assert mentor.email not in response.content.decode()

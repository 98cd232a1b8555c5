"""Fixtures for the fault tests (tests/test_faults_*.py): a spare Redis, a fake
SMTP server, real worker processes, and a small program with one of everything."""

import shutil
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.utils import timezone

from tests.faults import FakeSMTP, SpareRedis, Worker, point_celery_at


@pytest.fixture
def spare_redis(transactional_db):
    """A Redis of this test's own, which this process's Celery app publishes to.
    `spare_redis.stop()` is Redis stopped (killed); `.start()` brings it back empty."""
    redis = SpareRedis()
    redis.start()
    undo = point_celery_at(redis.url)
    try:
        yield redis
    finally:
        undo()
        redis.stop()
        shutil.rmtree(redis.dir, ignore_errors=True)


@pytest.fixture
def broker_calls(monkeypatch) -> list[int]:
    """Every attempt this process makes to reach Redis (redis-py's Connection.connect), by port.

    Tests count these instead of timing a request: a page that makes no call to a
    broker that is down cannot wait for it, and one that gives up after a bounded
    number of attempts cannot hang."""
    import redis.connection
    from django.conf import settings

    calls: list[int] = []
    real = redis.connection.AbstractConnection.connect
    # With CACHE_URL set the cache is on Redis too: its connections are not calls to the broker.
    cache = settings.CACHES["default"]
    cache_at = None
    if "redis" in cache["BACKEND"].lower():
        url = urlparse(cache["LOCATION"])
        cache_at = (url.port or 6379, int(url.path.strip("/") or 0))

    def connect(self):
        if (getattr(self, "port", 0), getattr(self, "db", 0)) != cache_at:
            calls.append(getattr(self, "port", 0))
        return real(self)

    monkeypatch.setattr(redis.connection.AbstractConnection, "connect", connect)
    return calls


@pytest.fixture
def smtp():
    server = FakeSMTP()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def start_worker(spare_redis, smtp):
    """Start a real Celery worker on the spare Redis, sending mail to the fake SMTP server."""
    started: list[Worker] = []

    def start(**env: str) -> Worker:
        worker = Worker(spare_redis.url, smtp.url, **env)
        started.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in started:
            worker.stop()


@pytest.fixture
def program(group, mentor, mentee, mea, coordinator, staff_user, settings):
    """One group with an active match (and its MEA), a waiting mentee, an available mentor, staff."""
    from matches.tests.factories import MatchFactory, MentorProfileFactory, approved_mentor
    from profiles.tests.factories import member
    from support.services import support_for

    settings.MFA_ENFORCE = False
    settings.STAFF_EMAIL = ""
    settings.STAFF_WEBHOOK_URL = ""
    match = MatchFactory(mentor=mentor, mentee=mentee, mea=mea, group=group,
                         started_at=timezone.now() - timedelta(days=20))
    MentorProfileFactory(user=mentor, capacity=3)
    support_for(match)
    return {
        "group": group, "match": match, "mentor": mentor, "mentee": mentee, "mea": mea,
        "coordinator": coordinator, "staff": staff_user,
        "waiting_mentee": member("mentee", group), "free_mentor": approved_mentor(group, capacity=2),
    }


def age_outboxes(minutes: int = 6) -> None:
    """`minutes` pass for the outbox: backoffs and any dead worker's leases (5 minutes) run out.

    Only while no worker runs: a live worker's lease is not to be cut short."""
    from django.db.models import F

    from notifications.models import Delivery

    gone = timedelta(minutes=minutes)
    Delivery.objects.filter(status=Delivery.Status.PENDING).update(
        created_at=F("created_at") - gone, next_attempt_at=F("next_attempt_at") - gone
    )

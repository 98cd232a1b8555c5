"""Health checks for monitoring: database, broker, beat freshness and the outbox.

Each check returns "ok" or a short word saying what is wrong; nothing about
people. The broker check has a short timeout so a down Redis makes the probe
answer 503 quickly instead of hanging.
"""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from notifications.models import Delivery
from notifications.selectors import stuck_deliveries, transport_state

from .models import Heartbeat

BROKER_TIMEOUT = 2.0


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure means "down"
        return "down"
    return "ok"


def check_broker() -> str:
    url = settings.CELERY_BROKER_URL
    try:
        if url.startswith(("redis://", "rediss://")):
            import redis

            client = redis.Redis.from_url(url, socket_connect_timeout=BROKER_TIMEOUT, socket_timeout=BROKER_TIMEOUT)
            try:
                client.ping()
            finally:
                client.close()
        else:
            from mentorship.celery import app

            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT)
    except Exception:  # noqa: BLE001 - any failure means "down"
        return "down"
    return "ok"


def check_beat() -> str:
    """ "ok" when the beat heartbeat task ran recently (so beat and a worker are both alive)."""
    stale_after = timedelta(seconds=getattr(settings, "HEALTH_BEAT_STALE_SECONDS", 300))
    try:
        beat = Heartbeat.objects.filter(name="beat").values_list("at", flat=True).first()
    except Exception:  # noqa: BLE001
        return "unknown"
    if beat is None:
        return "never"
    return "ok" if timezone.now() - beat <= stale_after else "stale"


def check_outbox() -> tuple[str, dict]:
    """ "ok", or "stuck" with, per channel, how many deliveries wait past HEALTH_STUCK_AFTER_SECONDS
    and the oldest's age; always the mail server's state (last success, last error: a class name)."""
    try:
        stuck = stuck_deliveries()
        details = {"mail_server": transport_state(Delivery.Channel.EMAIL)}
    except Exception:  # noqa: BLE001
        return "unknown", {}
    if stuck:
        details["stuck"] = stuck
    return ("stuck" if stuck else "ok"), details


def report() -> tuple[dict, bool]:
    database = check_database()
    checks = {
        "database": database,
        "broker": check_broker(),
        "beat": check_beat() if database == "ok" else "unknown",
    }
    deliveries, details = check_outbox() if database == "ok" else ("unknown", {})
    checks["deliveries"] = deliveries
    return {**checks, **details}, all(value == "ok" for value in checks.values())

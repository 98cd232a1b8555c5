"""Reads about the outbox for monitoring (/healthz) and the staff console. No addresses, no text."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone

from .models import Delivery, TransportState


def stuck_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "HEALTH_STUCK_AFTER_SECONDS", 600))


def stuck_deliveries() -> list[dict]:
    """Per channel, the rows still pending longer than `stuck_after()`: how many, and the oldest's age in seconds."""
    now = timezone.now()
    rows = (
        Delivery.objects.filter(status=Delivery.Status.PENDING, created_at__lt=now - stuck_after())
        .values("channel")
        .annotate(count=Count("pk"), oldest=Min("created_at"))
        .order_by("channel")
    )
    return [{"channel": r["channel"], "count": r["count"], "oldest_age_seconds": int((now - r["oldest"]).total_seconds())}
            for r in rows]


def transport_state(channel: str) -> dict:
    """The channel's transport as monitoring sees it: ok / failing / unknown, with the last success and error."""
    state = TransportState.objects.filter(channel=channel).first()
    if state is None:
        return {"state": "unknown"}
    return {
        "state": "failing" if state.failing else "ok",
        "last_success_at": state.last_success_at.isoformat() if state.last_success_at else None,
        "last_error_at": state.last_error_at.isoformat() if state.last_error_at else None,
        "last_error": state.last_error,
    }


def outbox_stuck() -> dict[str, int]:
    """Deliveries pending past `stuck_after()`: {"pending": never tried, "failed": tried and refused} (staff home)."""
    return Delivery.objects.filter(status=Delivery.Status.PENDING, created_at__lt=timezone.now() - stuck_after()).aggregate(
        pending=Count("pk", filter=Q(attempts=0)), failed=Count("pk", filter=Q(attempts__gt=0)))

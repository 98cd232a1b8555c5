"""Reads about people and the outbox used in more than one place."""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from .models import OutboundEmail

# An email still unsent this long after it was queued is stuck: delivery normally
# takes seconds, and the drain retries every few minutes.
STUCK_AFTER = timedelta(minutes=15)


def outbox_stuck() -> dict[str, int]:
    """Unsent emails older than STUCK_AFTER: {"pending": never tried, "failed": tried and refused}."""
    found = OutboundEmail.objects.filter(sent_at=None, created_at__lt=timezone.now() - STUCK_AFTER).aggregate(
        pending=Count("pk", filter=Q(attempts=0)), failed=Count("pk", filter=Q(attempts__gt=0)))
    return {"pending": found["pending"] or 0, "failed": found["failed"] or 0}

"""Background work of the project itself: the beat heartbeat read by /healthz."""

from celery import shared_task
from django.utils import timezone

from .models import Heartbeat


@shared_task
def beat_heartbeat() -> None:
    """Record that the beat schedule reached a worker (read by /healthz)."""
    # One row, overwritten: running twice only moves the time forward.
    Heartbeat.objects.update_or_create(name="beat", defaults={"at": timezone.now()})

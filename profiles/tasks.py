"""Background work for profiles: the beat heartbeat read by /healthz."""

from celery import shared_task
from django.utils import timezone


@shared_task
def beat_heartbeat() -> None:
    """Record that the beat schedule reached a worker (read by /healthz)."""
    from .trust_models import Heartbeat

    # One row, overwritten: running twice only moves the time forward.
    Heartbeat.objects.update_or_create(name="beat", defaults={"at": timezone.now()})

"""Demo data for the outbox: what the staff console's Deliveries page shows after a mail outage.

A reminder whose moment passed while the mail server was refusing (expired, counted, not
dropped), one delivered after a few retries, and the mail server's state. Idempotent.
"""

from datetime import timedelta

from django.utils import timezone

from .models import Delivery, TransportState


def seed(ctx) -> None:
    now = timezone.now()
    mea = ctx.users["mea_alex"]
    Delivery.objects.get_or_create(
        dedupe_key="demo:reminder-expired", defaults={
            "to": mea.email, "user": mea, "subject": "A check-in is due", "body_text": "Open the portal.",
            "status": Delivery.Status.EXPIRED, "created_at": now - timedelta(days=3), "attempts": 14,
            "expires_at": now - timedelta(days=2), "last_error": "SMTPDataError",
        })
    Delivery.objects.get_or_create(
        dedupe_key="demo:reminder-retried", defaults={
            "to": mea.email, "user": mea, "subject": "A check-in is overdue", "body_text": "",
            "status": Delivery.Status.SENT, "created_at": now - timedelta(days=2), "attempts": 4,
            "sent_at": now - timedelta(days=2) + timedelta(minutes=4),
        })
    TransportState.objects.get_or_create(channel=Delivery.Channel.EMAIL, defaults={
        "last_success_at": now - timedelta(minutes=3), "last_error_at": now - timedelta(days=2),
        "last_error": "SMTPDataError"})
    ctx.log("Outbox: Admin → Deliveries shows an expired and a retried reminder; /healthz shows the mail server's state")

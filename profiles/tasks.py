"""Email delivery from the outbox.

Delivery is at-least-once: a row is claimed (a lease), sent, then marked sent.
A worker that dies after SMTP accepted the message but before the row was
marked may send it again when the lease runs out; we prefer a rare duplicate
to a lost message about someone's wellbeing. Two workers never hold the same
lease, so a retried or duplicated task does not send twice.
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q
from django.utils import timezone

from .models import OutboundEmail

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 20


def deliver(email_id: int) -> str:
    now = timezone.now()
    # Claim by conditional update: zero rows means sent already or someone else holds it.
    claimed = (
        OutboundEmail.objects.filter(pk=email_id, sent_at=None)
        .filter(Q(claimed_until=None) | Q(claimed_until__lt=now))
        .update(claimed_until=now + LEASE, attempts=F("attempts") + 1)
    )
    if not claimed:
        return "skipped"
    email = OutboundEmail.objects.get(pk=email_id)
    message = EmailMultiAlternatives(email.subject, email.body_text, settings.DEFAULT_FROM_EMAIL, [email.to])
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    try:
        message.send()
    except Exception as exc:  # noqa: BLE001 - any transport error: release the lease, retry later
        OutboundEmail.objects.filter(pk=email_id).update(claimed_until=None, last_error=type(exc).__name__)
        log.warning("email %s not sent (%s); will retry", email_id, type(exc).__name__)
        raise
    OutboundEmail.objects.filter(pk=email_id).update(sent_at=timezone.now(), claimed_until=None, last_error="")
    return "sent"


@shared_task(bind=True, max_retries=5, default_retry_delay=30)
def deliver_email(self, email_id: int) -> str:
    try:
        return deliver(email_id)
    except Exception as exc:  # noqa: BLE001
        raise self.retry(exc=exc, countdown=min(30 * 2**self.request.retries, 600)) from None


@shared_task
def drain_email_outbox(limit: int = 500) -> int:
    """Send what is still unsent a minute after it was queued (beat, every minute)."""
    cutoff = timezone.now() - timedelta(minutes=1)
    ids = list(
        OutboundEmail.objects.filter(sent_at=None, created_at__lt=cutoff, attempts__lt=MAX_ATTEMPTS)
        .filter(Q(claimed_until=None) | Q(claimed_until__lt=timezone.now()))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for email_id in ids:
        try:
            sent += deliver(email_id) == "sent"
        except Exception:  # noqa: BLE001 - logged in deliver(); the next run retries
            continue
    return sent


@shared_task
def beat_heartbeat() -> None:
    """Record that the beat schedule reached a worker (read by /healthz)."""
    from .trust_models import Heartbeat

    # One row, overwritten: running twice only moves the time forward.
    Heartbeat.objects.update_or_create(name="beat", defaults={"at": timezone.now()})

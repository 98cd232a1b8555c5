"""Matching's background work: proposal reminders and expiry, nudging
coordinators about waiting mentees, and the nightly waiting-since check.

Tasks take ids and are safe to run twice: each one claims its work with a
conditional update (reminder, expiry) or a dedupe key (nudge), so a retry or a
duplicate run sends nothing twice. Delivery is at most once per reminder and
expiry (claimed before the email is queued; the email itself is in the outbox,
which delivers at least once).
"""

from datetime import timedelta

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from profiles.program import program_settings

from . import notices, selectors, services, waiting
from .models import Proposal

BATCH = 500


@shared_task
def proposals_scan() -> dict:
    """Find open proposals due a reminder or past expiry; queue one small task each."""
    now = timezone.now()
    remind_before = now - timedelta(hours=program_settings().proposal_remind_after)
    open_ = Proposal.objects.open()
    expire_ids = list(open_.filter(expires_at__lte=now).values_list("pk", flat=True)[:BATCH])
    remind_ids = list(
        open_.filter(reminded_at=None, created_at__lte=remind_before, expires_at__gt=now)
        .values_list("pk", flat=True)[:BATCH]
    )
    for pk in expire_ids:
        proposal_expire.delay(pk)
    for pk in remind_ids:
        proposal_remind.delay(pk)
    return {"expire": len(expire_ids), "remind": len(remind_ids)}


@shared_task
def proposal_remind(proposal_id: int) -> bool:
    with transaction.atomic():
        return services.proposal_remind(proposal_id)


@shared_task
def proposal_expire(proposal_id: int) -> bool:
    with transaction.atomic():
        return services.proposal_expire(proposal_id)


@shared_task
def unmatched_mentees_nudge() -> int:
    """Tell coordinators about mentees waiting longer than UNMATCHED_NUDGE_AFTER days
    with no open proposal. Once per mentee per waiting spell (dedupe key)."""
    cutoff = timezone.now() - timedelta(days=program_settings().unmatched_nudge_after)
    sent = 0
    for mentee in selectors.long_waiting_mentees(cutoff)[:BATCH]:
        with transaction.atomic():
            group_id = mentee.first_group_id
            if group_id:
                notices.mentee_waiting(mentee, group_id, mentee.waiting_since.date().isoformat())
                sent += 1
    return sent


@shared_task
def waiting_since_recompute() -> dict[str, int]:
    """Nightly: every mentee's waiting-since computed again; logs the drift repaired (counts only)."""
    return waiting.waiting_since_recompute()

"""Telling people a report needs attention: the outbox rows and their delivery.

A notice says that a report needs attention and links to it. It never carries
what was reported: the text, the situations and who it is about stay in the
database, behind the login and `visible_to`.

Delivery is at least once: a row is claimed with a lease, sent, then marked
sent. A worker that dies between the send and the mark may send again once the
lease runs out; for a report about someone's safety a rare duplicate is better
than a lost one. The unique constraint on (concern, step, recipient, channel)
means a step planned twice (a retried beat run, two workers) is one row.
"""

import json
import logging
import urllib.request
from datetime import timedelta
from functools import partial
from urllib.parse import urlparse

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from mentorship.outage import REPORT, broker_refused_already, left_for_later
from profiles.models import Role, User
from profiles.program import program_settings
from profiles.services import email_queue, notify

from .models import Concern, ConcernNotification

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 50
WEBHOOK = "staff-webhook"


def staff_members() -> list[User]:
    return list(User.objects.filter(role_grants__role=Role.STAFF, role_grants__ended_at=None, is_active=True).distinct())


def _staff_targets(concern: Concern) -> list[tuple[str, User | None]]:
    """The staff inbox: the assigned staff member, else the program's staff address, else every staff member."""
    if concern.assigned_to_id:
        return [(concern.assigned_to.email, concern.assigned_to)]
    staff_email = program_settings().staff_email
    if staff_email:
        return [(staff_email, None)]
    return [(u.email, u) for u in staff_members()]


def plan_notifications(
    concern: Concern, step: str, *, mea: bool, staff: bool, all_staff: bool = False, users: list[User] | None = None
) -> list[int]:
    """Write the outbox rows for one step (in the caller's transaction) and deliver them after commit."""
    targets: list[tuple[str, str, User | None]] = []
    if mea and concern.routed_to_mea_id and concern.routed_to_mea_id != concern.reporter_id:
        targets.append((ConcernNotification.Channel.EMAIL, concern.routed_to_mea.email, concern.routed_to_mea))
    if staff:
        targets += [(ConcernNotification.Channel.EMAIL, address, user) for address, user in _staff_targets(concern)]
    if all_staff:
        targets += [(ConcernNotification.Channel.EMAIL, u.email, u) for u in staff_members()]
    targets += [(ConcernNotification.Channel.EMAIL, u.email, u) for u in users or []]
    if (staff or all_staff) and getattr(settings, "STAFF_WEBHOOK_URL", ""):
        targets.append((ConcernNotification.Channel.WEBHOOK, WEBHOOK, None))
    created = []
    for channel, recipient, user in dict.fromkeys(targets):
        try:
            # A savepoint: a row that exists already must not break the caller's transaction.
            with transaction.atomic():
                row = ConcernNotification.objects.create(
                    concern=concern, step=step, channel=channel, recipient=recipient, user=user
                )
        except IntegrityError:
            continue
        created.append(row.pk)
    for pk in created:
        # After commit: the worker must find the row, and a rolled-back report tells nobody.
        transaction.on_commit(partial(_enqueue, pk))
    return created


def _enqueue(notification_id: int) -> None:
    from .tasks import deliver_concern_notification

    if broker_refused_already():
        left_for_later(REPORT)
        return
    try:
        deliver_concern_notification.delay(notification_id)
    except Exception:  # noqa: BLE001 - broker down: the beat drain delivers it later
        log.warning("broker unavailable; concern notification %s left for the drain", notification_id)
        left_for_later(REPORT)


def concern_link(concern: Concern, user_id: int | None) -> str:
    """Where the reader can open the report: the MEA it was routed to, their inbox page
    (they cannot open the admin); anyone else (staff, the staff address), the admin page."""
    if user_id and user_id == concern.routed_to_mea_id and concern.about != "mea":
        path = reverse("escalations:inbox_detail", args=[concern.pk])
    else:
        path = reverse("admin:escalations_concern_change", args=[concern.pk])
    return settings.SITE_URL + path


def concern_subject(concern: Concern) -> str:
    """The urgency in words, never what was reported."""
    if concern.tier >= 3:
        return f"Urgent: a report needs attention now (#{concern.pk})"
    if concern.tier == 2:
        return f"A report needs staff today (#{concern.pk})"
    return f"A report needs your attention (#{concern.pk})"


def _link(row: ConcernNotification) -> str:
    return concern_link(row.concern, row.user_id)


def _webhook_payload(url: str, text: str) -> dict:
    # Discord webhooks read "content"; Slack (and Slack-compatible) ones read "text".
    host = urlparse(url).hostname or ""
    if "discord" in host or getattr(settings, "STAFF_WEBHOOK_FORMAT", "") == "discord":
        return {"content": text, "allowed_mentions": {"parse": []}}
    return {"text": text}


def _post_webhook(text: str) -> None:
    url = settings.STAFF_WEBHOOK_URL
    if urlparse(url).scheme not in ("https", "http"):
        raise ValueError("STAFF_WEBHOOK_URL must be an http(s) URL")
    body = json.dumps(_webhook_payload(url, text)).encode()
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url, data=body, headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - scheme checked above
        if response.status >= 300:
            raise OSError(f"webhook answered {response.status}")


def deliver(notification_id: int) -> str:
    """Send one outbox row. Raises on a transport error (the row is released for a retry)."""
    now = timezone.now()
    # Claim by conditional update: zero rows means sent already or another worker holds it.
    claimed = (
        ConcernNotification.objects.filter(pk=notification_id, sent_at=None)
        .filter(Q(claimed_until=None) | Q(claimed_until__lt=now))
        .update(claimed_until=now + LEASE, attempts=F("attempts") + 1)
    )
    if not claimed:
        return "skipped"
    row = ConcernNotification.objects.select_related("concern", "user").get(pk=notification_id)
    link = _link(row)
    try:
        if row.channel == ConcernNotification.Channel.WEBHOOK:
            _post_webhook(f"{concern_subject(row.concern)}: {link}")
        else:
            with transaction.atomic():
                email_queue(
                    to=row.recipient, template="concern_attention",
                    context={"concern_id": row.concern_id, "tier": row.concern.tier, "link": link, "step": row.step,
                             "subject": concern_subject(row.concern), "urgency": row.concern.urgency},
                    dedupe_key=f"concern-notification-{row.pk}",
                )
                if row.user_id:
                    notify(row.user, concern_subject(row.concern), link, dedupe_key=f"concern-notification-{row.pk}")
    except Exception as exc:  # noqa: BLE001 - any transport error: release the lease, retry later
        ConcernNotification.objects.filter(pk=notification_id).update(claimed_until=None, last_error=type(exc).__name__)
        log.warning("concern notification %s not delivered (%s); will retry", notification_id, type(exc).__name__)
        raise
    ConcernNotification.objects.filter(pk=notification_id).update(sent_at=timezone.now(), claimed_until=None, last_error="")
    log.info("concern notification %s delivered (%s)", notification_id, row.channel)
    return "sent"


def pending_ids(limit: int = 500, older_than: timedelta = timedelta(seconds=30)) -> list[int]:
    now = timezone.now()
    return list(
        ConcernNotification.objects.filter(sent_at=None, created_at__lt=now - older_than, attempts__lt=MAX_ATTEMPTS)
        .filter(Q(claimed_until=None) | Q(claimed_until__lt=now))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )

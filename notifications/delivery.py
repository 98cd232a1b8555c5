"""Delivering the outbox: claim, send, mark, retry.

At least once, never lost: a row is claimed with a lease (a conditional
update setting `claim` to a token of this call and `next_attempt_at` to the
lease's end), sent, then marked `sent` — the accepted ones MARK_EVERY at a
time (one UPDATE, one commit), so a worker killed mid-batch re-sends at most
the MARK_EVERY - 1 messages the server had accepted since the last mark. We
prefer that rare duplicate to a lost message about someone's wellbeing. A
duplicated task or a second worker claims nothing (the rows are leased) and
sends nothing.

Delivered means accepted: a row is `sent` only when the mail server took the
message (Django's SMTP backend returned without raising) or the webhook
answered 2xx. A failure releases the row with `next_attempt_at` pushed back by
capped exponential backoff and the error's class name in `last_error`; the
beat drain retries it for as long as it matters (until `expires_at`, or until
its owner expires its topic), with no attempts cap.

Report notifications (`failover=True`) that keep failing on their channel
(FAILOVER_AFTER_ATTEMPTS failures, or FAILOVER_AFTER since queued) are sent on
the others: a portal notice to every staff member and the staff webhook.
"""

import json
import logging
import queue
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlparse

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Q
from django.utils import timezone

from profiles.models import Role, User

from .models import WEBHOOK, Delivery, Notice, TransportState, create_once

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
RETRY_FIRST = timedelta(seconds=30)
RETRY_CAP = timedelta(minutes=10)
FAILOVER_AFTER_ATTEMPTS = 3
FAILOVER_AFTER = timedelta(minutes=10)
# Accepted emails marked sent this many at a time: a commit per email cost more than its SMTP
# exchange (make bench: 230 emails/s from one worker before, see docs/PERFORMANCE.md for after).
MARK_EVERY = 10
# A batch goes out over up to CONNECTIONS SMTP connections at once, each with at least PER_CONNECTION_MIN emails.
CONNECTIONS = 4
PER_CONNECTION_MIN = 25


def backoff(attempts: int) -> timedelta:
    """30 s, 1, 2, 4, 8 minutes, then every 10 minutes for as long as the message matters."""
    return min(RETRY_FIRST * 2 ** min(max(attempts - 1, 0), 10), RETRY_CAP)


def staff_members() -> list[User]:
    return list(User.objects.filter(role_grants__role=Role.STAFF, role_grants__ended_at=None, is_active=True).distinct())


def _message(row: Delivery, backend) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(row.subject, row.body_text, settings.DEFAULT_FROM_EMAIL, [row.to], connection=backend)
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    if row.ics:
        # Calendars read the method (REQUEST or CANCEL) from the content type as well as the file.
        method = "CANCEL" if "METHOD:CANCEL" in row.ics else "REQUEST"
        message.attach("invite.ics", row.ics, f"text/calendar; charset=utf-8; method={method}")
    return message


def _webhook_payload(url: str, text: str) -> dict:
    # Discord webhooks read "content"; Slack (and Slack-compatible) ones read "text".
    host = urlparse(url).hostname or ""
    if "discord" in host or getattr(settings, "STAFF_WEBHOOK_FORMAT", "") == "discord":
        return {"content": text, "allowed_mentions": {"parse": []}}
    return {"text": text}


def _post_webhook(text: str) -> None:
    url = getattr(settings, "STAFF_WEBHOOK_URL", "")
    if urlparse(url).scheme not in ("https", "http"):
        raise ValueError("STAFF_WEBHOOK_URL must be an http(s) URL")
    body = json.dumps(_webhook_payload(url, text)).encode()
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url, data=body, headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - scheme checked above
        if response.status >= 300:
            raise OSError(f"webhook answered {response.status}")


def _claim(ids: list[int]) -> tuple[uuid.UUID, list[Delivery]]:
    now = timezone.now()
    token = uuid.uuid4()
    # Claim by conditional update: only pending, due, unexpired rows nobody holds
    # (a held row's next_attempt_at is its lease's end). Zero rows: sent already,
    # or another worker has them.
    Delivery.objects.filter(pk__in=ids, status=Delivery.Status.PENDING, next_attempt_at__lte=now).exclude(
        expires_at__lte=now
    ).update(claim=token, next_attempt_at=now + LEASE, attempts=F("attempts") + 1)
    # pk__in: read along the primary key, not a scan of the whole outbox for the token.
    return token, list(Delivery.objects.filter(pk__in=ids, claim=token, status=Delivery.Status.PENDING).order_by("pk"))


def _mark_sent(rows: list[Delivery], token: uuid.UUID) -> None:
    """These rows were accepted: sent, in one UPDATE (two when some hold a secret link)."""
    if not rows:
        return
    fields = {"status": Delivery.Status.SENT, "sent_at": timezone.now(), "claim": None, "last_error": ""}
    secret = [row.pk for row in rows if row.secret]
    plain = [row.pk for row in rows if not row.secret]
    if plain:
        Delivery.objects.filter(pk__in=plain, claim=token).update(**fields)
    if secret:
        # The link in it signs someone in or answers for them: not readable once delivered.
        Delivery.objects.filter(pk__in=secret, claim=token).update(**fields, body_text="", body_html="")


def _mark_failed(rows: list[Delivery], token: uuid.UUID, error: str) -> None:
    now = timezone.now()
    for row in rows:
        # The lease is ours (claim=token): release it with the next attempt after the backoff.
        Delivery.objects.filter(pk=row.pk, claim=token).update(
            claim=None, next_attempt_at=now + backoff(row.attempts), last_error=error[:200]
        )
        if row.failover and row.failed_over_at is None and (
            row.attempts >= FAILOVER_AFTER_ATTEMPTS or now - row.created_at >= FAILOVER_AFTER
        ):
            failover(row)


def failover(row: Delivery) -> None:
    """Tell staff on the other channels that a report notification cannot get through on its own.

    Its rows are written here, not through notifications.services (which queues a
    task and so imports this module's caller): the webhook row is due now, so the
    drain that is running delivers it in the same run.
    """
    # Claimed once: a second worker failing the same row finds failed_over_at set.
    if not Delivery.objects.filter(pk=row.pk, failed_over_at=None).update(failed_over_at=timezone.now()):
        return
    key = f"failover:{row.topic or row.pk}:{row.channel}"
    title = f"{row.subject} (its {row.get_channel_display().lower()} could not be delivered)"
    for person in staff_members():
        create_once(Notice, f"{key}:{person.pk}", user=person, title=title[:200], url=row.failover_url)
    if row.channel != Delivery.Channel.WEBHOOK and getattr(settings, "STAFF_WEBHOOK_URL", ""):
        text = f"{title}: {settings.SITE_URL}{row.failover_url}"
        create_once(Delivery, f"{key}:webhook", channel=Delivery.Channel.WEBHOOK, to=WEBHOOK, subject=text[:200],
                    body_text=text, topic=row.topic)
    log.warning("delivery %s failing on %s; staff told on the other channels", row.pk, row.channel)


def _transport(channel: str, *, ok: bool, error: str = "") -> None:
    now = timezone.now()
    fields = {"last_success_at": now} if ok else {"last_error_at": now, "last_error": error[:200]}
    TransportState.objects.update_or_create(channel=channel, defaults=fields)


def _send_over_one_connection(rows: list[Delivery], results: queue.Queue) -> None:
    """Send `rows` over one SMTP connection of their own; put (row, None) for each accepted, (row, error) for
    each refused or not tried. No database here: the calling thread marks what was accepted."""
    backend = get_connection()
    tried = 0
    try:
        backend.open()
        for row in rows:
            tried += 1
            try:
                # One message per call, so one refused recipient does not hide which others were accepted.
                if not backend.send_messages([_message(row, backend)]):
                    raise OSError("not sent")
            except Exception as exc:  # noqa: BLE001 - this one is retried later
                results.put((row, type(exc).__name__))
            else:
                results.put((row, None))
    except Exception as exc:  # noqa: BLE001 - could not connect: every one not tried is retried later
        for row in rows[tried:]:
            results.put((row, type(exc).__name__))
    finally:
        try:
            backend.close()
        except Exception:  # noqa: BLE001, S110 - closing a broken connection: nothing to keep
            pass


def _send_emails(rows: list[Delivery], token: uuid.UUID) -> dict[str, list[Delivery]]:
    """Send over up to CONNECTIONS SMTP connections side by side (at least PER_CONNECTION_MIN emails each),
    marking the accepted rows sent MARK_EVERY at a time as they come; return the failed by error.

    Side by side because each email waits for the server's four replies: one connection leaves the
    mail server idle between them (make bench: see docs/PERFORMANCE.md, emails delivered vs the sink).
    """
    failed: dict[str, list[Delivery]] = {}
    accepted = 0
    unmarked: list[Delivery] = []
    count = max(1, min(CONNECTIONS, len(rows) // PER_CONNECTION_MIN))
    results: queue.Queue = queue.Queue()
    with ThreadPoolExecutor(max_workers=count) as pool:
        senders = [pool.submit(_send_over_one_connection, rows[i::count], results) for i in range(count)]
        received = 0
        while received < len(rows):
            try:
                row, error = results.get(timeout=0.1)
            except queue.Empty:
                if all(sender.done() for sender in senders):
                    break  # a sender died (its exception is raised below)
                continue
            received += 1
            if error:
                failed.setdefault(error, []).append(row)
                continue
            unmarked.append(row)
            accepted += 1
            if len(unmarked) >= MARK_EVERY:
                _mark_sent(unmarked, token)
                unmarked = []
        for sender in senders:
            sender.result()  # what killed a sender (not a send error) stops this call, as it would inline
    _mark_sent(unmarked, token)
    if accepted:
        _transport(Delivery.Channel.EMAIL, ok=True)
    if failed:
        _transport(Delivery.Channel.EMAIL, ok=False, error=", ".join(failed))
    return failed


def _send_webhooks(rows: list[Delivery], token: uuid.UUID) -> dict[str, list[Delivery]]:
    failed: dict[str, list[Delivery]] = {}
    for row in rows:
        try:
            _post_webhook(row.body_text)
        except Exception as exc:  # noqa: BLE001 - any transport error: retried later
            failed.setdefault(type(exc).__name__, []).append(row)
            _transport(Delivery.Channel.WEBHOOK, ok=False, error=type(exc).__name__)
        else:
            _mark_sent([row], token)
            _transport(Delivery.Channel.WEBHOOK, ok=True)
    return failed


def deliver_many(ids) -> tuple[int, int]:
    """Deliver the due rows among `ids`: (sent, failed). Safe to call twice with the same ids."""
    ids = sorted({int(pk) for pk in ids})
    if not ids:
        return 0, 0
    token, rows = _claim(ids)
    if not rows:
        return 0, 0
    emails = [r for r in rows if r.channel == Delivery.Channel.EMAIL]
    hooks = [r for r in rows if r.channel == Delivery.Channel.WEBHOOK]
    failed = {**(_send_emails(emails, token) if emails else {})}
    for error, more in (_send_webhooks(hooks, token) if hooks else {}).items():
        failed.setdefault(error, []).extend(more)
    count = 0
    for error, failed_rows in failed.items():
        _mark_failed(failed_rows, token, error)
        count += len(failed_rows)
    if count:
        log.warning("%d of %d deliveries failed (%s); will retry", count, len(rows), ", ".join(failed))
    return len(rows) - count, count


def expire_due() -> int:
    """Rows whose moment has passed are marked expired (visibly, counted), never silently dropped."""
    return Delivery.objects.filter(status=Delivery.Status.PENDING, expires_at__lte=timezone.now()).update(
        status=Delivery.Status.EXPIRED, claim=None
    )


def due_ids(limit: int) -> list[int]:
    now = timezone.now()
    return list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        .filter(Q(expires_at=None) | Q(expires_at__gt=now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )



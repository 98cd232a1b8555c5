"""Email delivery from the outbox.

Delivery is at-least-once: a row is claimed (a lease), sent, then marked sent.
A worker that dies after SMTP accepted the message but before the row was
marked may send it again when the lease runs out; we prefer a rare duplicate
to a lost message about someone's wellbeing. Two workers never hold the same
lease, so a retried or duplicated task does not send twice.

Batches (`deliver_many`) keep the same rules per row: one conditional update
claims every unsent, unleased row of the batch under a lease timestamp unique
to this call, the rows carrying that timestamp are ours, they go out over ONE
SMTP connection (a large batch over up to CONNECTIONS at once, each carrying
at least PER_CONNECTION emails: an SMTP exchange waits on round trips, so a
few connections at once keep the worker busy), the accepted ones are marked
sent as they are accepted (so a worker killed mid-batch re-sends at most
the message in flight) and the failed ones are released for the outbox drain. A
batch delivered twice sends each email once: the second call claims nothing.
Plain ASCII emails are written as SMTP DATA directly (`_raw_message`), not
through the email package's MIME writer, which costs ~1.5 ms each.
"""

import logging
import queue
import re
import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from email.utils import formatdate, make_msgid
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.core.mail.utils import DNS_NAME
from django.db.models import F, Q
from django.utils import timezone

from .models import OutboundEmail

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 20
BATCH = 200
MARK_EVERY = 1  # accepted emails per "sent" UPDATE: each at once, so a killed worker re-sends at most
# the one SMTP accepted as it died (no reminder doubled by a chunk); `make bench` measures the cost
CONNECTIONS = 4  # SMTP connections a large batch uses at once
PER_CONNECTION = 100  # ... each carrying at least this many emails (a batch under 200 uses one)


def _message(email: OutboundEmail, connection=None) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        email.subject, email.body_text, settings.DEFAULT_FROM_EMAIL, [email.to], connection=connection
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    return message


_PLAIN_HEADER = re.compile(r"[\x20-\x7e]*")
_EOL = re.compile(r"\r\n|\r|\n")  # as the email package's generator: every line ending becomes CRLF


def _plain_body(text: str) -> bool:
    return text.isascii() and all(len(line) <= 998 for line in text.splitlines())


def _raw_message(email: OutboundEmail, from_email: str = "") -> bytes | None:
    """The email as SMTP DATA bytes, written directly, or None when Django's MIME writer is needed.

    For the common outbox email (ASCII headers and bodies, lines within SMTP's
    998, as every reminder is) this writes what `EmailMultiAlternatives.message()`
    writes (multipart/alternative, 7bit text and HTML parts, Date and
    Message-ID) in a few microseconds instead of the email package's ~1.5 ms of
    header folding. Anything else goes through Django unchanged.
    """
    from_email = from_email or settings.DEFAULT_FROM_EMAIL
    headers = (email.subject, email.to, from_email)
    if not all(_PLAIN_HEADER.fullmatch(h) for h in headers) or not _plain_body(email.body_text):
        return None
    if email.body_html and not _plain_body(email.body_html):
        return None
    head = (
        f"MIME-Version: 1.0\nSubject: {email.subject}\nFrom: {from_email}\nTo: {email.to}\n"
        f"Date: {formatdate(localtime=settings.EMAIL_USE_LOCALTIME)}\nMessage-ID: {make_msgid(domain=DNS_NAME)}\n"
    )
    part = 'Content-Type: text/{}; charset="utf-8"\nMIME-Version: 1.0\nContent-Transfer-Encoding: 7bit\n\n{}'
    if email.body_html:
        boundary = f"==============={secrets.randbits(63)}=="
        if boundary in email.body_text or boundary in email.body_html:
            return None
        text = (
            f'Content-Type: multipart/alternative;\n boundary="{boundary}"\n{head}\n'
            f"--{boundary}\n{part.format('plain', email.body_text)}\n--{boundary}\n"
            f"{part.format('html', email.body_html)}\n--{boundary}--\n"
        )
    else:
        text = f'Content-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: 7bit\n{head}\n{email.body_text}'
    return _EOL.sub("\r\n", text).encode("ascii")


def _send_one(email: OutboundEmail, connection) -> None:
    """Send one outbox email over an open connection; raises when it was not accepted."""
    if isinstance(connection, SMTPBackend) and connection.connection is not None:
        raw = _raw_message(email)
        if raw is not None:
            envelope_from = sanitize_address(settings.DEFAULT_FROM_EMAIL, settings.DEFAULT_CHARSET)
            connection.connection.sendmail(envelope_from, [sanitize_address(email.to, settings.DEFAULT_CHARSET)], raw)
            return
    if not connection.send_messages([_message(email, connection)]):
        raise SMTPException("not sent")


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
    message = _message(OutboundEmail.objects.get(pk=email_id))
    try:
        message.send()
    except Exception as exc:  # noqa: BLE001 - any transport error: release the lease, retry later
        OutboundEmail.objects.filter(pk=email_id).update(claimed_until=None, last_error=type(exc).__name__)
        log.warning("email %s not sent (%s); will retry", email_id, type(exc).__name__)
        raise
    OutboundEmail.objects.filter(pk=email_id).update(sent_at=timezone.now(), claimed_until=None, last_error="")
    return "sent"


class BatchNotSent(Exception):
    """Some emails of a batch were not accepted; their leases are released for a retry."""

    def __init__(self, message: str, sent: int = 0):
        super().__init__(message)
        self.sent = sent


def _send_over_one_connection(emails: list[OutboundEmail], accepted) -> dict[str, list[int]]:
    """Send `emails` over ONE connection, calling `accepted(pk)` for each the server took; return the failed by error.

    Each message is sent on its own so that one refused recipient does not hide which others were accepted.
    """
    failed: dict[str, list[int]] = {}
    connection = get_connection()
    tried = 0
    try:
        connection.open()
        for email in emails:
            tried += 1
            try:
                _send_one(email, connection)
            except Exception as exc:  # noqa: BLE001 - this one is retried later
                failed.setdefault(type(exc).__name__, []).append(email.pk)
            else:
                accepted(email.pk)
    except Exception as exc:  # noqa: BLE001 - could not connect: every one not tried is retried later
        failed.setdefault(type(exc).__name__, []).extend(e.pk for e in emails[tried:])
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001, S110 - closing a broken connection: nothing to keep
            pass
    return failed


def deliver_many(email_ids) -> int:
    """Send the unsent emails among `email_ids` over one connection; return how many were sent.

    At-least-once, as `deliver`: the claim is one conditional update (unsent and
    not leased by someone else), so a duplicate task or a second worker claims
    nothing and sends nothing. The lease timestamp carries random microseconds,
    which makes it this call's claim token: reading back the rows with exactly
    that lease finds ours and no one else's. Emails whose send raised are
    released (lease cleared, error recorded) so a retry or the outbox drain sends
    them; then BatchNotSent is raised. A worker dying after the SMTP server
    accepted a message and before the "sent" update may send it again once the
    lease runs out.
    """
    ids = sorted({int(pk) for pk in email_ids})
    if not ids:
        return 0
    now = timezone.now()
    lease = now + LEASE + timedelta(microseconds=secrets.randbelow(10**6))
    claimed = (
        OutboundEmail.objects.filter(pk__in=ids, sent_at=None)
        .filter(Q(claimed_until=None) | Q(claimed_until__lt=now))
        .update(claimed_until=lease, attempts=F("attempts") + 1)
    )
    if not claimed:
        return 0
    emails = list(OutboundEmail.objects.filter(pk__in=ids, sent_at=None, claimed_until=lease).order_by("pk"))
    sent: list[int] = []
    unmarked: list[int] = []

    def mark_sent():
        # Only what the SMTP server accepted, in chunks: a worker dying mid-batch
        # re-sends at most the last MARK_EVERY accepted, never the whole batch.
        if unmarked:
            OutboundEmail.objects.filter(pk__in=unmarked, claimed_until=lease).update(
                sent_at=timezone.now(), claimed_until=None, last_error=""
            )
            unmarked.clear()

    def accepted(pk: int) -> None:
        sent.append(pk)
        unmarked.append(pk)
        if len(unmarked) >= MARK_EVERY:
            mark_sent()

    # A large batch goes out over a few connections at once (each SMTP exchange
    # waits on round trips, not on this process); a small one over one.
    k = max(1, min(CONNECTIONS, len(emails) // PER_CONNECTION))
    if k == 1:
        failed = _send_over_one_connection(emails, accepted)
    else:
        arrived: queue.SimpleQueue = queue.SimpleQueue()
        with ThreadPoolExecutor(k, thread_name_prefix="smtp") as pool:
            # The threads only talk SMTP; the database is written here, by this thread.
            futures = [pool.submit(_send_over_one_connection, emails[i::k], arrived.put) for i in range(k)]
            while not all(f.done() for f in futures) or not arrived.empty():
                try:
                    pk = arrived.get(timeout=0.05)
                except queue.Empty:
                    continue
                # Everything accepted since the last mark goes in one update: while
                # marking keeps up that is one email, under a backlog a few.
                drained = [pk]
                while True:
                    try:
                        drained.append(arrived.get_nowait())
                    except queue.Empty:
                        break
                for pk in drained[:-1]:
                    sent.append(pk)
                    unmarked.append(pk)
                accepted(drained[-1])
            failed = {}
            for future in futures:
                for error, pks in future.result().items():
                    failed.setdefault(error, []).extend(pks)
    mark_sent()
    for error, pks in failed.items():
        OutboundEmail.objects.filter(pk__in=pks, claimed_until=lease).update(claimed_until=None, last_error=error)
    if failed:
        count = sum(len(pks) for pks in failed.values())
        log.warning("%d of %d emails not sent (%s); will retry", count, len(emails), ", ".join(failed))
        raise BatchNotSent(f"{count} of {len(emails)} emails not sent", sent=len(sent))
    return len(sent)


@shared_task(bind=True, max_retries=5, default_retry_delay=30)
def deliver_email_batch(self, email_ids: list[int]) -> int:
    """Send a batch of outbox emails over one SMTP connection (ids only; safe to run twice)."""
    try:
        return deliver_many(email_ids)
    except Exception as exc:  # noqa: BLE001 - transport errors: the same ids again, with backoff
        raise self.retry(exc=exc, countdown=min(30 * 2**self.request.retries, 600)) from None


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
    for i in range(0, len(ids), BATCH):
        try:
            sent += deliver_many(ids[i:i + BATCH])
        except BatchNotSent as exc:  # logged in deliver_many(); the failed ones wait for the next run
            sent += exc.sent
    return sent


@shared_task
def beat_heartbeat() -> None:
    """Record that the beat schedule reached a worker (read by /healthz)."""
    from .trust_models import Heartbeat

    # One row, overwritten: running twice only moves the time forward.
    Heartbeat.objects.update_or_create(name="beat", defaults={"at": timezone.now()})

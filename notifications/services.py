"""Writes to the outbox: queue an email or a webhook post, add a portal notice, expire what no longer matters.

This is the whole public API other apps call (keep it small and stable):

- `email_queue(to=..., template=... | subject/body_text/body_html, dedupe_key=, topic=, expires_at=, secret=, failover=)`
- `email_render(template, context)` -> (subject, text, html)
- `email_queue_many([...])` + `email_deliver_batch(ids)`: many rows in one INSERT, delivered after commit
- `webhook_queue(text, dedupe_key=, topic=)`: a post to the staff chat webhook (STAFF_WEBHOOK_URL)
- `notice_create(user, title, url, dedupe_key=)` / `notices_create([...])`, `notices_mark_read(user, ids)`
- `deliveries_expire(topic)`: what is still waiting for `topic` no longer matters (a report acknowledged)

Every row is written in the caller's transaction and delivered after commit
(`transaction.on_commit`), so a rolled-back change announces nothing. With the
broker down the beat drain delivers it (notifications.tasks.outbox_drain).
"""

import logging
from datetime import datetime
from functools import partial

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from profiles.models import User
from profiles.timezones import zone_for_email

from .models import WEBHOOK, Delivery, Notice, create_once
from .outage import EMAIL, REPORT, broker_refused_already, left_for_later
from .tasks import PER_TASK, deliver_batch

log = logging.getLogger(__name__)


def email_render(template: str, context: dict) -> tuple[str, str, str]:
    """(subject, text, html) of templates/emails/<template>_subject.txt, _body.txt and optional _body.html,
    with times in `context["time_zone"]` when given (the recipient's own zone, issue 19)."""
    context = {"site_url": settings.SITE_URL, **context}
    with timezone.override(context.get("time_zone")):
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        # Every email is a trio: subject, text and HTML (templates/emails/<name>_subject.txt, _body.txt, _body.html).
        text = render_to_string(f"emails/{template}_body.txt", context)
        html = render_to_string(f"emails/{template}_body.html", context)
    return subject, text, html


def email_queue(
    *, to: str, template: str | None = None, context: dict | None = None, dedupe_key: str | None = None,
    subject: str = "", body_text: str = "", body_html: str = "", deliver: bool = True, user: User | None = None,
    topic: str = "", expires_at: datetime | None = None, secret: bool = False, failover: bool = False,
    failover_url: str = "", ics: str = "",
) -> Delivery | None:
    """Save an email in the outbox and send it after commit.

    `secret=True`: the body holds a link that signs in, resets a password or
    answers a proposal; it is blanked once the mail server accepted it.
    `expires_at`: after this moment the email no longer matters and is marked
    expired instead of sent. `failover=True` (a report's notification): when
    email keeps failing, staff are told by portal notice and the staff webhook,
    linking to `failover_url`. `ics`: a calendar invite sent as invite.ics. `deliver=False`: only save it (the caller queues
    a batch with `email_deliver_batch`; the drain is the fallback).
    Returns None when `dedupe_key` was already used.
    """
    if template:
        # Times in the recipient's own zone, named, like the portal (issue 19).
        subject, body_text, body_html = email_render(template, {"time_zone": zone_for_email(to), **(context or {})})
    row = create_once(
        Delivery, dedupe_key, channel=Delivery.Channel.EMAIL, to=to, user=user, subject=subject[:200],
        body_text=body_text, body_html=body_html, topic=topic, expires_at=expires_at, secret=secret,
        failover=failover, failover_url=failover_url, ics=ics,
    )
    if row is not None and deliver:
        # After commit: the worker must find the row, and a rollback must send nothing.
        transaction.on_commit(partial(_enqueue, [row.pk], REPORT if failover else EMAIL))
    return row


def webhook_queue(text: str, *, dedupe_key: str | None = None, topic: str = "") -> Delivery | None:
    """Post `text` to the staff chat webhook after commit (nothing when STAFF_WEBHOOK_URL is not set)."""
    if not getattr(settings, "STAFF_WEBHOOK_URL", ""):
        return None
    row = create_once(
        Delivery, dedupe_key, channel=Delivery.Channel.WEBHOOK, to=WEBHOOK, subject=text[:200], body_text=text,
        topic=topic,
    )
    if row is not None:
        transaction.on_commit(partial(_enqueue, [row.pk], REPORT))
    return row


def email_queue_many(emails: list[dict], *, expires_at: datetime | None = None) -> list[int]:
    """Save many outbox emails in one INSERT; return the ids of the unsent ones among them.

    Each dict has `to`, `subject`, `body_text`, `body_html` and `dedupe_key`
    (and may have `user_id`, `expires_at`, `secret`). A dedupe key already used is
    skipped. Nothing is sent here: the caller queues the delivery after commit
    (`email_deliver_batch`), and the outbox drain is the fallback.
    """
    if not emails:
        return []
    now = timezone.now()
    rows = [
        Delivery(
            to=e["to"], subject=e["subject"][:200], body_text=e["body_text"], body_html=e.get("body_html", ""),
            dedupe_key=e.get("dedupe_key"), user_id=e.get("user_id"), expires_at=e.get("expires_at", expires_at),
            secret=e.get("secret", False),
            created_at=now, next_attempt_at=now,
        )
        for e in emails
    ]
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    # ignore_conflicts returns no ids; read back the unsent rows by key (a row
    # queued earlier under the same key is unsent too and harmless to include:
    # delivery claims each row once).
    keys = [e["dedupe_key"] for e in emails if e.get("dedupe_key")]
    return list(
        Delivery.objects.filter(dedupe_key__in=keys, status=Delivery.Status.PENDING).values_list("pk", flat=True)
    )


def email_deliver_batch(email_ids: list[int]) -> None:
    """Deliver `email_ids` after commit, tasks of up to PER_TASK on the "bulk" queue (broker down: the drain)."""
    if email_ids:
        transaction.on_commit(partial(_enqueue, list(email_ids), EMAIL, "bulk"))


def _enqueue(ids: list[int], kind: str, queue: str = "email") -> None:
    if broker_refused_already():
        left_for_later(kind)
        return
    try:
        # Tasks of PER_TASK emails each: the worker pool sends them side by side.
        for i in range(0, len(ids), PER_TASK):
            deliver_batch.apply_async((ids[i:i + PER_TASK],), queue=queue)
    except Exception:  # noqa: BLE001 - broker down: the outbox drain delivers them later
        log.warning("broker unavailable; %d deliveries left for the outbox drain", len(ids))
        left_for_later(kind)


def deliveries_expire(topic: str) -> int:
    """What still waits for `topic` no longer matters (e.g. the report was acknowledged): mark it expired."""
    return Delivery.objects.filter(topic=topic, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.EXPIRED, claim=None
    )


def notice_create(user: User, title: str, url: str = "", *, dedupe_key: str | None = None) -> Notice | None:
    """Add an in-portal notice for `user` (at most once per `dedupe_key`)."""
    return create_once(Notice, dedupe_key, user=user, title=title[:200], url=url)


def notices_create(notices: list[tuple[int, str, str, str | None]]) -> None:
    """In-portal notices in one INSERT: (user_id, title, url, dedupe_key); a used dedupe key is skipped."""
    Notice.objects.bulk_create(
        [Notice(user_id=u, title=t[:200], url=url, dedupe_key=k) for u, t, url, k in notices],
        ignore_conflicts=True,
    )


def notices_mark_read(user: User, ids: list[int] | None = None) -> int:
    qs = Notice.objects.visible_to(user).unread()
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


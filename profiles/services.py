"""Writes about people: roles, profiles, and the outgoing email/notice queue."""

import logging
from functools import partial

from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from mentorship.outage import EMAIL, broker_refused_already, left_for_later
from mentorship.timezones import zone_for_email

from .audit import audit_record
from .models import Notification, OutboundEmail, Profile, Role, RoleGrant, SupportGroup, User
from .signals import role_granted

log = logging.getLogger(__name__)


def role_grant(user: User, role: str, *, group: SupportGroup | None = None, by: User | None = None) -> RoleGrant:
    """Give `user` a role (within `group`, if given). Granting a held role is a no-op."""
    existing = RoleGrant.objects.filter(user=user, role=role, group=group, ended_at=None).first()
    if existing:
        return existing
    grant = RoleGrant.objects.create(user=user, role=role, group=group, granted_by=by)
    role_granted.send(sender=RoleGrant, user=user, role=role)
    audit_record(by, grant, "granted", {"role": [None, role], "group": [None, group.pk if group else None]})
    if role == Role.STAFF and not user.is_staff:
        # Program staff work the queue in the Django admin.
        User.objects.filter(pk=user.pk).update(is_staff=True)
        user.is_staff = True
    user.__dict__.pop("active_grants", None)
    return grant


def role_end(user: User, role: str, *, group: SupportGroup | None = None) -> int:
    """End a role; the grant stays as history. Returns how many grants ended."""
    ended = RoleGrant.objects.filter(user=user, role=role, group=group, ended_at=None).update(ended_at=timezone.now())
    if role == Role.STAFF and not RoleGrant.objects.filter(user=user, role=Role.STAFF, ended_at=None).exists():
        User.objects.filter(pk=user.pk, is_superuser=False).update(is_staff=False)
    user.__dict__.pop("active_grants", None)
    return ended


def profile_for(user: User) -> Profile:
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


def _render_email(template: str, context: dict) -> tuple[str, str, str]:
    """Render templates/emails/<template>_subject.txt, _body.txt and (optional) _body.html."""
    with timezone.override(context.get("time_zone")):
        return _render_email_parts(template, context)


def _render_email_parts(template: str, context: dict) -> tuple[str, str, str]:
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    text = render_to_string(f"emails/{template}_body.txt", context)
    try:
        html = render_to_string(f"emails/{template}_body.html", context)
    except Exception:  # noqa: BLE001 - the HTML part is optional
        html = ""
    return subject, text, html


def email_queue(
    *, to: str, template: str | None = None, context: dict | None = None, dedupe_key: str | None = None,
    subject: str = "", body_text: str = "", body_html: str = "", deliver: bool = True,
) -> OutboundEmail | None:
    """Save an email in the outbox and send it after commit.

    `deliver=False`: only save it; the caller queues a batch of these itself
    (profiles.tasks.deliver_email_batch), and the outbox drain is the fallback.

    Returns None when `dedupe_key` was already used: that message exists. The
    caller's transaction decides whether the email exists at all; the send
    itself happens after commit, so a rolled-back change announces nothing.
    """
    if template:
        # Times in the recipient's own zone, named, like the portal (issue 19).
        ctx = {"site_url": _site_url(), "time_zone": zone_for_email(to), **(context or {})}
        subject, body_text, body_html = _render_email(template, ctx)
    try:
        # A savepoint so that a duplicate key does not break the caller's transaction.
        with transaction.atomic():
            email = OutboundEmail.objects.create(
                to=to, subject=subject[:200], body_text=body_text, body_html=body_html, dedupe_key=dedupe_key
            )
    except IntegrityError:
        if dedupe_key and OutboundEmail.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise
    # After commit: the worker must find the row, and a rollback must send nothing.
    if deliver:
        transaction.on_commit(partial(_enqueue_delivery, email.pk))
    return email


def email_render(template: str, context: dict) -> tuple[str, str, str]:
    """(subject, text, html) of templates/emails/<template>_*, with the site URL in the context."""
    return _render_email(template, {"site_url": _site_url(), **context})


def email_queue_many(emails: list[dict]) -> list[int]:
    """Save many outbox emails in one INSERT; return the ids of those saved.

    Each dict has `to`, `subject`, `body_text`, `body_html` and `dedupe_key`.
    A dedupe key already used is skipped (ON CONFLICT DO NOTHING), so the
    returned ids are exactly the emails this call created. Nothing is sent
    here: the caller queues one delivery for the batch after commit
    (`email_deliver_batch`), and the outbox drain is the fallback.
    """
    if not emails:
        return []
    table = connection.ops.quote_name(OutboundEmail._meta.db_table)
    columns = ("to", "subject", "body_text", "body_html", "dedupe_key", "created_at", "attempts", "last_error")
    now = timezone.now()
    params: list = []
    for e in emails:
        params += [e["to"], e["subject"][:200], e["body_text"], e["body_html"], e.get("dedupe_key"), now, 0, ""]
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    # Only quoted model/column names and %s placeholders go into the text; every value is a parameter.
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    values = ", ".join([row] * len(emails))
    sql = f"INSERT INTO {table} ({names}) VALUES {values} ON CONFLICT (dedupe_key) DO NOTHING RETURNING id"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [pk for (pk,) in cursor.fetchall()]


def notify_many(notices: list[tuple[int, str, str, str | None]]) -> None:
    """In-portal notices in one INSERT: (user_id, title, url, dedupe_key); a used dedupe key is skipped."""
    Notification.objects.bulk_create(
        [Notification(user_id=u, title=t[:200], url=url, dedupe_key=k) for u, t, url, k in notices],
        ignore_conflicts=True,
    )


def _enqueue_delivery(email_id: int) -> None:
    from .tasks import deliver_email

    if broker_refused_already():
        left_for_later(EMAIL)
        return
    try:
        deliver_email.delay(email_id)
    except Exception:  # noqa: BLE001 - broker down: the outbox drain delivers it later
        log.warning("broker unavailable; email %s left for the outbox drain", email_id)
        left_for_later(EMAIL)


def email_deliver_batch(email_ids: list[int]) -> None:
    """Queue one delivery task for `email_ids` after commit (broker down: the outbox drain sends them)."""
    if email_ids:
        transaction.on_commit(partial(_enqueue_batch, list(email_ids)))


def _enqueue_batch(email_ids: list[int]) -> None:
    from .tasks import deliver_email_batch

    if broker_refused_already():
        left_for_later(EMAIL)
        return
    try:
        deliver_email_batch.delay(email_ids)
    except Exception:  # noqa: BLE001 - broker down: the outbox drain delivers them later
        log.warning("broker unavailable; %d emails left for the outbox drain", len(email_ids))
        left_for_later(EMAIL)


def notify(user: User, title: str, url: str = "", *, dedupe_key: str | None = None) -> Notification | None:
    """Add an in-portal notice for `user` (at most once per `dedupe_key`)."""
    try:
        with transaction.atomic():
            return Notification.objects.create(user=user, title=title[:200], url=url, dedupe_key=dedupe_key)
    except IntegrityError:
        if dedupe_key and Notification.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise


def notifications_mark_read(user: User, ids: list[int] | None = None) -> int:
    qs = Notification.objects.visible_to(user).unread()
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def _site_url() -> str:
    from django.conf import settings

    return settings.SITE_URL


def staff_account_ensure(*, email: str, password: str | None) -> tuple[User, bool]:
    """A program staff account for `email` (a verified address, the staff role), created if need be.

    Idempotent: an existing account keeps everything but gets the role and a verified
    address; `password`, when given, is set. Returns (user, created).
    """
    from allauth.account.models import EmailAddress

    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User.objects.create_user(email=email, password=password)
    elif password:
        user.set_password(password)
        user.save(update_fields=["password"])
    if not user.is_active:
        User.objects.filter(pk=user.pk).update(is_active=True)
    profile_for(user)
    address, _ = EmailAddress.objects.get_or_create(user=user, email=user.email,
                                                    defaults={"verified": True, "primary": True})
    if not address.verified:
        EmailAddress.objects.filter(pk=address.pk).update(verified=True)
    role_grant(user, Role.STAFF)
    return user, created

"""Privacy for the member: export everything held about them, and erase it.

Other apps plug in without profiles knowing them (profiles imports no app):

    # matches/apps.py
    class MatchesConfig(AppConfig):
        def ready(self):
            from profiles.privacy import register_eraser, register_exporter
            from . import privacy
            register_exporter("matches", privacy.export)   # fn(user) -> JSON-able
            register_eraser("matches", privacy.erase)      # fn(user) -> None

An exporter returns JSON-serialisable data (dates are fine) about `user`
only: their own words and records, not other people's private text (for a
match: the match, their own check-in answers, notes they wrote; never the
other side's private ending reason). An eraser removes or blanks the
member's personal free text in that app's rows while keeping the rows other
people rely on (a match stays a match of "Former member"; a concern keeps its
history, with the reporter's free text blanked if the program's retention
policy allows). Erasers run inside the completion transaction, before the
account itself is anonymised; they must be safe to run twice.
"""

import json
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import audit_record
from .models import (
    AuditEvent,
    ErasureRequest,
    Membership,
    Notification,
    OutboundEmail,
    Profile,
    Role,
    RoleGrant,
    User,
)

log = logging.getLogger(__name__)

_EXPORTERS: dict[str, Callable[[User], Any]] = {}
_ERASERS: dict[str, Callable[[User], None]] = {}

ERASED_NAME = "Former member"


def register_exporter(name: str, fn: Callable[[User], Any]) -> None:
    """Add a section `name` to every member's export (registering a name twice replaces it)."""
    _EXPORTERS[name] = fn


def register_eraser(name: str, fn: Callable[[User], None]) -> None:
    """Run `fn(user)` when a member's erasure is completed (registering a name twice replaces it)."""
    _ERASERS[name] = fn


def exporters() -> dict[str, Callable[[User], Any]]:
    return dict(_EXPORTERS)


def erasers() -> dict[str, Callable[[User], None]]:
    return dict(_ERASERS)


# --- Export ---------------------------------------------------------------------


def export_for(user: User) -> dict[str, Any]:
    """Everything the program holds about `user`, one section per registered exporter."""
    data: dict[str, Any] = {"format": 1, "generated_at": timezone.now(), "program_data": {}}
    for name, fn in sorted(_EXPORTERS.items()):
        data["program_data"][name] = fn(user)
    return data


def export_json(user: User) -> str:
    return json.dumps(export_for(user), cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


def _export_account(user: User) -> dict:
    profile = Profile.objects.filter(user=user).prefetch_related("topics").first()
    profile_data = None
    if profile:
        profile_data = {
            field: getattr(profile, field)
            for field in [
                "display_name", "pronouns", "gender", "gender_self_described", "time_zone", "bio", "availability",
                "connect_in_person", "connect_phone", "connect_text", "connect_web", "phone", "discord", "updated_at",
            ]
        }
        profile_data["topics"] = [t.name for t in profile.topics.all()]
    from allauth.account.models import EmailAddress

    return {
        "email": user.email,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "email_addresses": list(EmailAddress.objects.filter(user=user).values("email", "verified", "primary")),
        "profile": profile_data,
        "memberships": [
            {"group": m.group.name, "joined_on": m.joined_on}
            for m in Membership.objects.filter(user=user).select_related("group")
        ],
        "roles": [
            {"role": g.role, "group": g.group.name if g.group_id else None, "started_at": g.started_at,
             "ended_at": g.ended_at}
            for g in RoleGrant.objects.filter(user=user).select_related("group").order_by("started_at")
        ],
        "erasure_requests": list(
            ErasureRequest.objects.filter(user=user).values("status", "requested_at", "completed_at")
        ),
    }


def _export_notifications(user: User) -> dict:
    return {
        "notifications": list(
            Notification.objects.filter(user=user).values("title", "url", "created_at", "read_at")
        ),
        "emails": list(
            OutboundEmail.objects.filter(to__iexact=user.email).values("subject", "created_at", "sent_at")
        ),
    }


def _export_activity(user: User) -> dict:
    """What this person changed (action and object), without other people's values."""
    return {
        "changes_made": [
            {"at": e.at, "action": e.action, "object": f"{e.content_type.app_label}.{e.content_type.model}",
             "object_id": e.object_id}
            for e in AuditEvent.objects.filter(actor=user).select_related("content_type")[:5000]
        ]
    }


register_exporter("account", _export_account)
register_exporter("notifications", _export_notifications)
register_exporter("activity", _export_activity)


# --- Erasure --------------------------------------------------------------------


def erasure_request(user: User) -> ErasureRequest:
    """The member asks to be erased. Asking again while a request is open returns that request."""
    existing = ErasureRequest.objects.filter(user=user).open().first()
    if existing:
        return existing
    with transaction.atomic():
        request, created = ErasureRequest.objects.get_or_create(user=user, status=ErasureRequest.Status.REQUESTED)
        if created:
            audit_record(user, request, "erasure_requested")
            _notify_completers(user, request)
    return request


def _notify_completers(user: User, request: ErasureRequest) -> None:
    from django.urls import reverse

    from .services import notify

    group_ids = Membership.objects.filter(user=user).values("group_id")
    completers = User.objects.filter(
        role_grants__ended_at=None, role_grants__role=Role.COORDINATOR, role_grants__group_id__in=group_ids
    ).distinct()
    if not completers.exists():
        completers = User.objects.filter(role_grants__ended_at=None, role_grants__role=Role.STAFF).distinct()
    url = reverse("profiles:erasure_requests")
    for person in completers:
        notify(person, _("A member asked for their data to be erased"), url, dedupe_key=f"erasure:{request.pk}:{person.pk}")


def can_complete(by: User, request: ErasureRequest) -> bool:
    """Staff, or a coordinator of a group the member belongs to; never the member themselves."""
    if by.pk == request.user_id or not by.is_active:
        return False
    return ErasureRequest.objects.visible_to(by).filter(pk=request.pk).exists() and (
        by.is_program_staff or bool(by.coordinated_group_ids)
    )


def erasure_withdraw(user: User, request_id: int) -> ErasureRequest:
    with transaction.atomic():
        # Lock: a coordinator may be completing it at this moment.
        request = ErasureRequest.objects.select_for_update().get(pk=request_id, user=user)
        request.check_transition(ErasureRequest.Status.WITHDRAWN)
        request.status = ErasureRequest.Status.WITHDRAWN
        request.save(update_fields=["status"])
        audit_record(user, request, "erasure_withdrawn", {"status": ["requested", "withdrawn"]})
    return request


def erasure_complete(request_id: int, *, by: User) -> ErasureRequest:
    """Anonymise the member: run every app's eraser, then blank the account and profile.

    The user row stays (as an inactive "Former member" with an unusable
    address), so other people's matches, reports and their histories keep
    pointing at something and stay intact. Raises PermissionDenied if `by`
    may not complete it, ValidationError if it is not open.
    """
    with transaction.atomic():
        # Lock the request: two coordinators pressing "complete" at once erase once.
        request = ErasureRequest.objects.select_for_update().select_related("user").get(pk=request_id)
        if not can_complete(by, request):
            raise PermissionDenied
        request.check_transition(ErasureRequest.Status.COMPLETED)
        user = request.user
        for _name, fn in sorted(_ERASERS.items()):
            fn(user)
        _anonymise_account(user)
        request.status = ErasureRequest.Status.COMPLETED
        request.completed_at = timezone.now()
        request.completed_by = by
        request.save(update_fields=["status", "completed_at", "completed_by"])
        audit_record(by, request, "erasure_completed", {"status": ["requested", "completed"]})
    log.info("erasure request %s completed", request.pk)
    return request


def _anonymise_account(user: User) -> None:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    old_email = user.email
    Profile.objects.filter(user=user).update(
        display_name=ERASED_NAME, pronouns="", gender="", gender_self_described="", bio="", availability="",
        phone="", discord="", connect_in_person=False, connect_phone=False, connect_text=False, connect_web=False,
    )
    for profile in Profile.objects.filter(user=user):
        profile.topics.clear()
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    Notification.objects.filter(user=user).delete()
    # Emails to them: unsent ones are dropped; sent ones keep only that an email was sent.
    OutboundEmail.objects.filter(to__iexact=old_email, sent_at=None).delete()
    OutboundEmail.objects.filter(to__iexact=old_email).update(
        to=f"erased-{user.pk}@invalid.example", body_text="", body_html=""
    )
    Membership.objects.filter(user=user).delete()
    RoleGrant.objects.filter(user=user, ended_at=None).with_audit_action("ended_by_erasure").update(ended_at=timezone.now())
    _forget_login_attempts(old_email)
    user.email = f"erased-{user.pk}@invalid.example"
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.save(update_fields=["email", "password", "is_active", "is_staff", "is_superuser"])


def _forget_login_attempts(email: str) -> None:
    try:
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    except ImportError:  # axes not installed
        return
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username__iexact=email).delete()


def erasure_error_message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return _("This request cannot be completed.")

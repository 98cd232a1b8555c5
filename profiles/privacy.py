"""Privacy for the member: export everything held about them, and erase it.

Other apps plug in without profiles knowing them (profiles imports no app):

    # matches/apps.py
    class MatchesConfig(AppConfig):
        def ready(self):
            from profiles.privacy import register_eraser, register_exporter
            from . import privacy
            register_exporter("matches", privacy.export, covers=privacy.COVERS)
            register_eraser("matches", privacy.erase)      # fn(user) -> None

`covers` names every "app.Model.field" pointing at the user that the app's
exporter and eraser handle. A model with a foreign key to the user that is
neither covered nor in EXEMPT (with its reason) fails
tests/test_security_privacy_apps.py, so a new model cannot be forgotten.

An exporter returns JSON-serialisable data (dates are fine) about `user`
only: their own words and records, not other people's private text (for a
match: the match, their own check-in answers, notes they wrote; never the
other side's private ending reason). An eraser removes or blanks the
member's personal free text in that app's rows while keeping the rows other
people rely on (a match stays a match of "Former member"; a concern keeps its
history, and the member's name, email and contact details in report text
are replaced by ERASED_REF). Erasers run inside the completion transaction,
before the account itself is anonymised (so `personal_identifiers(user)` still
finds the name and address); they must be safe to run twice. After them, the
audit trail is scrubbed: the values of the member's own objects' changes
(`redact_audit_values`) and any change value holding one of their identifiers.
"""

import json
import logging
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import audit_actor, audit_record
from .models import (
    AuditEvent,
    ErasureRequest,
    Membership,
    Profile,
    RoleGrant,
    User,
)
from .privacy_text import scrub_free_text

log = logging.getLogger(__name__)

_EXPORTERS: dict[str, Callable[[User], Any]] = {}
_ERASERS: dict[str, Callable[[User], None]] = {}
_COVERS: dict[str, frozenset[str]] = {}

ERASED_NAME = "Former member"
# What replaces the member's name, email or contact details inside text that is
# kept (reports, their history, the audit trail's values).
ERASED_REF = "[former member]"
ERASED_VALUE = "[erased]"

# Foreign keys to the user that no exporter reads, and why. Everything else
# pointing at the user must be named in some registration's `covers`.
EXEMPT: dict[str, str] = {
    "profiles.AccessEvent.actor": "A staff member's reads of reports: the access trail of other people's reports, kept whole.",
    "profiles.ErasureRequest.completed_by": "The coordinator who completed someone else's erasure: that person's record.",
    "profiles.RoleGrant.granted_by": "Who granted someone else a role: the other person's role history.",
    "admin.LogEntry.user": "Django admin log of staff edits (staff only); object names of the erased person are scrubbed.",
    "mfa.Authenticator.user": "Authenticator secrets are never exported (a download must not carry a second factor); deleted.",
}


def register_exporter(
    name: str, fn: Callable[[User], Any], covers: tuple[str, ...] = (), exempt: dict[str, str] | None = None
) -> None:
    """Add a section `name` to every member's export (registering a name twice replaces it).

    `covers`: the "app.Model.field" foreign keys to the user this section (and
    the app's eraser) handles; `exempt`: the app's ones it deliberately does
    not export, each with its reason.
    """
    _EXPORTERS[name] = fn
    _COVERS[name] = frozenset(covers)
    EXEMPT.update(exempt or {})


def covered_fields() -> set[str]:
    return set().union(*_COVERS.values()) if _COVERS else set()


def user_fields(models: Any = None) -> list[str]:
    """Every "app.Model.field" (foreign key, one-to-one, many-to-many) pointing at the user model."""
    from django.apps import apps
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    if models is None:
        models = apps.get_models()
    found = []
    for model in models:
        for field in [*model._meta.fields, *model._meta.many_to_many]:
            if field.related_model is user_model:
                found.append(f"{model._meta.label}.{field.name}")
    return found


def uncovered_user_fields(models: Any = None) -> list[str]:
    """Fields pointing at the user that no exporter covers and EXEMPT does not explain."""
    known = covered_fields() | set(EXEMPT)
    return [name for name in user_fields(models) if name not in known]


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


def _export_activity(user: User) -> dict:
    """What this person changed (action and object), without other people's values."""
    return {
        "changes_made": [
            {"at": e.at, "action": e.action, "object": f"{e.content_type.app_label}.{e.content_type.model}",
             "object_id": e.object_id}
            for e in AuditEvent.objects.filter(actor=user).select_related("content_type")[:5000]
        ]
    }


register_exporter(
    "account", _export_account,
    covers=("profiles.Profile.user", "profiles.Membership.user", "profiles.RoleGrant.user", "profiles.ErasureRequest.user",
            "account.EmailAddress.user"),
)
register_exporter("activity", _export_activity, covers=("profiles.AuditEvent.actor",))


def _export_joining(user: User) -> dict:
    """How this person joined: the invitations they accepted, their requests to join, their orientation."""
    from profiles.joining import Invitation, JoinRequest, OrientationAck

    return {
        "invitations_accepted": [
            {"group": i.group.name, "role": i.role, "answered_at": i.answered_at}
            for i in Invitation.objects.filter(accepted_by=user).select_related("group")
        ],
        "join_requests": [
            {"group": r.group.name, "note": r.note, "status": r.status, "created_at": r.created_at,
             "decided_at": r.decided_at}
            for r in JoinRequest.objects.filter(user=user).select_related("group")
        ],
        "orientation_acknowledged": [
            {"item": a.item.title, "at": a.at} for a in OrientationAck.objects.filter(user=user).select_related("item")
        ],
    }


register_exporter(
    "joining", _export_joining,
    covers=("profiles.Invitation.accepted_by", "profiles.JoinRequest.user", "profiles.OrientationAck.user"),
    exempt={
        "profiles.Invitation.invited_by": "The coordinator who sent someone else an invitation: the invitee's record.",
        "profiles.JoinRequest.decided_by": "The coordinator who decided someone else's request to join: that person's record.",
    },
)


# --- Identifiers and the audit trail ---------------------------------------------


def personal_identifiers(user: User) -> list[str]:
    """The member's email addresses, display name (and its first word: the first name
    people use in a conversation), and contact details, longest first.

    Read before the account is anonymised; used to replace them in text that
    other people's records keep (report text, the audit trail's values).
    Values shorter than 3 characters are left out (they would match anything).
    """
    from allauth.account.models import EmailAddress

    values = {user.email}
    values.update(EmailAddress.objects.filter(user=user).values_list("email", flat=True))
    profile = Profile.objects.filter(user=user).values("display_name", "phone", "discord").first() or {}
    values.update(profile.values())
    if profile.get("display_name") and profile["display_name"] != ERASED_NAME:
        values.add(profile["display_name"].split()[0])  # "Fatima" of "Fatima Khan"
    if not profile.get("display_name") and user.email:
        values.add(user.email.split("@")[0])  # what the portal shows as their name
    values = {v.strip() for v in values if v and v.strip() and v.strip() != ERASED_NAME and len(v.strip()) >= 3}
    return sorted(values, key=lambda v: (-len(v), v))


def _identifier_pattern(identifiers: list[str]) -> re.Pattern | None:
    if not identifiers:
        return None
    # Whole words only ("Sam" in "Sam said", not in "Samantha"); names as written
    # (a name like "Hope" stays a word elsewhere), email addresses in any case.
    parts = [f"(?i:{re.escape(v)})" if "@" in v else re.escape(v) for v in identifiers]
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


def scrub_text(text: str, identifiers: list[str]) -> str:
    """`text` with each of the member's identifiers replaced by ERASED_REF."""
    pattern = _identifier_pattern(identifiers)
    if not text or pattern is None:
        return text
    return pattern.sub(ERASED_REF, text)


def rows_mentioning(queryset, fields: list[str], identifiers: list[str]):
    """Rows of `queryset` where any of `fields` contains any identifier (a coarse database filter)."""
    from django.db.models import Q

    condition = Q()
    for field in fields:
        for value in identifiers:
            condition |= Q(**{f"{field}__icontains": value})
    return queryset.filter(condition) if identifiers else queryset.none()


def _scrub_value(value: Any, pattern: re.Pattern, identifiers_lower: set[str]) -> Any:
    if isinstance(value, str):
        if value.strip().lower() in identifiers_lower:
            return ERASED_VALUE
        return pattern.sub(ERASED_REF, value)
    if isinstance(value, list):
        return [_scrub_value(v, pattern, identifiers_lower) for v in value]
    if isinstance(value, dict):
        return {k: _scrub_value(v, pattern, identifiers_lower) for k, v in value.items()}
    return value


def redact_audit_values(model, pks) -> int:
    """Blank the old and new values of every recorded change to these objects of the member's.

    The rows stay (who changed which field, when); the values, which were the
    member's own personal data, do not. Returns how many rows changed.
    """
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    ids = [str(pk) for pk in pks]
    changed = []
    for event in AuditEvent.objects.filter(content_type=content_type, object_id__in=ids).exclude(changes={}):
        erased = {field: [ERASED_VALUE if v not in (None, "", ERASED_VALUE) else v for v in values]
                  if isinstance(values, list) else ERASED_VALUE for field, values in event.changes.items()}
        if erased != event.changes:
            event.changes = erased
            changed.append(event)
    AuditEvent.objects.bulk_update(changed, ["changes"], batch_size=500)
    return len(changed)


def _scrub_audit_trail(user: User, identifiers: list[str]) -> None:
    """After the erasers: the trail's values, the admin log, and others' emails and notices that named them."""
    from django.contrib.admin.models import LogEntry

    redact_audit_values(User, [user.pk])
    redact_audit_values(Profile, Profile.objects.filter(user=user).values_list("pk", flat=True))
    pattern = _identifier_pattern(identifiers)
    if pattern is None:
        return
    lower = {v.lower() for v in identifiers}
    events = []
    for event in rows_mentioning(AuditEvent.objects.all(), ["changes"], identifiers):
        scrubbed = _scrub_value(event.changes, pattern, lower)
        if scrubbed != event.changes:
            event.changes = scrubbed
            events.append(event)
    AuditEvent.objects.bulk_update(events, ["changes"], batch_size=500)
    entries = list(rows_mentioning(LogEntry.objects.all(), ["object_repr", "change_message"], identifiers))
    for entry in entries:
        entry.object_repr = pattern.sub(ERASED_REF, entry.object_repr)
        entry.change_message = pattern.sub(ERASED_REF, entry.change_message)
    LogEntry.objects.bulk_update(entries, ["object_repr", "change_message"], batch_size=500)


# --- Erasure --------------------------------------------------------------------


# Sent when a member asks for erasure, inside the request's transaction (kwargs: request).
erasure_requested = Signal()


def erasure_request(user: User) -> ErasureRequest:
    """The member asks to be erased. Asking again while a request is open returns that request."""
    existing = ErasureRequest.objects.filter(user=user).open().first()
    if existing:
        return existing
    with transaction.atomic():
        request, created = ErasureRequest.objects.get_or_create(user=user, status=ErasureRequest.Status.REQUESTED)
        if created:
            audit_record(user, request, "erasure_requested")
            # The notifications app tells whoever may complete it (profiles imports no app).
            erasure_requested.send(sender=ErasureRequest, request=request)
    return request


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
        identifiers = personal_identifiers(user)
        with audit_actor(by):
            for _name, fn in sorted(_ERASERS.items()):
                fn(user)
            # Everyone's free text that can mention them (privacy_text's registry).
            scrub_free_text(identifiers)
            _anonymise_account(user)
            _scrub_audit_trail(user, identifiers)
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

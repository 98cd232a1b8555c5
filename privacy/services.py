"""Export everything held about a member, and erase it (each app's part: registry.py).

Erasure runs every app's eraser inside the completion transaction, then
scrubs the member's identifiers from every registered free-text field (the
history's copies of them included), then anonymises the account, then runs the
history scrubbers (the audit app: the member's own profile's history, the
context of changes) and scrubs the admin log.
"""

import contextvars
import json
import logging
import re
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from pghistory import context as history_context

from profiles.acting import acting_for
from profiles.models import Membership, Profile, RoleGrant, User

from . import registry
from .models import ErasureRequest

log = logging.getLogger(__name__)

ERASED_NAME = "Former member"
# What replaces the member's name, email or contact details inside text that is
# kept (reports, their history, the audit trail's values).
ERASED_REF = "[former member]"
ERASED_VALUE = "[erased]"

# Sent when a member asks for erasure, inside the request's transaction (kwargs: request);
# the notifications app tells whoever may complete it.
erasure_requested = Signal()

# Who completes the erasure in progress (None outside one): erasers name them as the actor
# of what they record (a match ended, a report unassigned).
_completing_by: contextvars.ContextVar = contextvars.ContextVar("erasure_completed_by", default=None)


def erasure_actor() -> User | None:
    """The coordinator completing the erasure now running, for the erasers' own records."""
    return _completing_by.get()


# --- Export ---------------------------------------------------------------------


def export_for(user: User) -> dict[str, Any]:
    """Everything the program holds about `user`, one section per registered exporter."""
    data: dict[str, Any] = {"format": 1, "generated_at": timezone.now(), "program_data": {}}
    for name, fn in registry.exporters().items():
        data["program_data"][name] = fn(user)
    return data


def export_json(user: User) -> str:
    return json.dumps(export_for(user), cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


# --- Identifiers in text --------------------------------------------------------


def personal_identifiers(user: User) -> list[str]:
    """The member's email addresses, display name (and its first word: the first name
    people use in a conversation), and contact details, longest first.

    Read before the account is anonymised; used to replace them in text that
    other people's records keep (report text, the audit trail's values).
    Values shorter than 3 characters are left out (they would match anything).
    """
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


def identifier_pattern(identifiers: list[str]) -> re.Pattern | None:
    if not identifiers:
        return None
    # Whole words only ("Sam" in "Sam said", not in "Samantha"); names as written
    # (a name like "Hope" stays a word elsewhere), email addresses in any case.
    parts = [f"(?i:{re.escape(v)})" if "@" in v else re.escape(v) for v in identifiers]
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


def rows_mentioning(queryset, fields: list[str], identifiers: list[str]):
    """Rows of `queryset` where any of `fields` contains any identifier (a coarse database filter)."""
    condition = Q()
    for field in fields:
        for value in identifiers:
            condition |= Q(**{f"{field}__icontains": value})
    return queryset.filter(condition) if identifiers else queryset.none()


def scrub_free_text(identifiers: list[str]) -> int:
    """Replace the member's identifiers in every registered free-text field of every row. Returns rows changed."""
    pattern = identifier_pattern(identifiers)
    if pattern is None:
        return 0
    changed = 0
    for label in sorted(registry.scrubbed_fields()):
        app_model, field_name = label.rsplit(".", 1)
        model = apps.get_model(app_model)
        limit = model._meta.get_field(field_name).max_length  # None for a TextField: [:None] keeps it whole
        for pk, text in rows_mentioning(model._default_manager.all(), [field_name], identifiers).values_list(
            "pk", field_name
        ):
            scrubbed = pattern.sub(ERASED_REF, text)[:limit]
            if scrubbed != text:
                changed += model._default_manager.filter(pk=pk).update(**{field_name: scrubbed})
    return changed


# --- The trail's values, the admin log --------------------------------------------------


def scrub_value(value: Any, pattern: re.Pattern, identifiers_lower: set[str]) -> Any:
    """A recorded value (text, or a list or dict of them) without the member's identifiers."""
    if isinstance(value, str):
        if value.strip().lower() in identifiers_lower:
            return ERASED_VALUE
        return pattern.sub(ERASED_REF, value)
    if isinstance(value, list):
        return [scrub_value(v, pattern, identifiers_lower) for v in value]
    if isinstance(value, dict):
        return {k: scrub_value(v, pattern, identifiers_lower) for k, v in value.items()}
    return value


def _scrub_admin_log(identifiers: list[str]) -> None:
    """Django's admin log names objects (a person's name as a profile's title)."""
    pattern = identifier_pattern(identifiers)
    if pattern is None:
        return
    entries = list(rows_mentioning(LogEntry.objects.all(), ["object_repr", "change_message"], identifiers))
    for entry in entries:
        entry.object_repr = pattern.sub(ERASED_REF, entry.object_repr)
        entry.change_message = pattern.sub(ERASED_REF, entry.change_message)
    LogEntry.objects.bulk_update(entries, ["object_repr", "change_message"], batch_size=500)


# --- Erasure --------------------------------------------------------------------


def erasure_request(user: User) -> ErasureRequest:
    """The member asks to be erased. Asking again while a request is open returns that request."""
    existing = ErasureRequest.objects.filter(user=user).open().first()
    if existing:
        return existing
    with transaction.atomic():
        request, created = ErasureRequest.objects.get_or_create(user=user, status=ErasureRequest.Status.REQUESTED)
        if created:
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
        request.move(ErasureRequest.Status.WITHDRAWN)
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
        token = _completing_by.set(by)
        try:
            # Every change below is recorded as made by `by`, for this erasure.
            with acting_for(by), history_context(erasure=request.pk):
                for fn in registry.erasers().values():
                    fn(user)
                # Everyone's free text that can mention them (the registry's scrubbed fields).
                scrub_free_text(identifiers)
                _anonymise_account(user)
                for fn in registry.history_scrubbers().values():
                    fn(user, identifiers)
                _scrub_admin_log(identifiers)
                request.move(ErasureRequest.Status.COMPLETED, completed_at=timezone.now(), completed_by=by)
        finally:
            _completing_by.reset(token)
    log.info("erasure request %s completed", request.pk)
    return request


def _anonymise_account(user: User) -> None:
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
    RoleGrant.objects.filter(user=user, ended_at=None).update(ended_at=timezone.now())
    # Failed and successful sign-ins recorded under their address.
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username__iexact=old_email).delete()
    user.email = f"erased-{user.pk}@invalid.example"
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.save(update_fields=["email", "password", "is_active", "is_staff", "is_superuser"])


def erasure_error_message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return _("This request cannot be completed.")

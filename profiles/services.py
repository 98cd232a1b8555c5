"""Writes about people: roles and profiles. (The outbox of emails and notices is notifications.services.)"""

import logging

from allauth.account.models import EmailAddress
from django.utils import timezone

from .models import Profile, Role, RoleGrant, SupportGroup, User
from .program import program_settings
from .signals import role_granted

log = logging.getLogger(__name__)


def role_grant(user: User, role: str, *, group: SupportGroup | None = None, by: User | None = None) -> RoleGrant:
    """Give `user` a role (within `group`, if given). Granting a held role is a no-op."""
    existing = RoleGrant.objects.filter(user=user, role=role, group=group, ended_at=None).first()
    if existing:
        return existing
    grant = RoleGrant.objects.create(user=user, role=role, group=group, granted_by=by)
    role_granted.send(sender=RoleGrant, user=user, role=role)
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


def profile_for(user: User, *, time_zone: str = "") -> Profile:
    """The person's profile, made on first need: in `time_zone` (their browser's, at sign-up), else the program's."""
    profile, _ = Profile.objects.get_or_create(user=user, defaults={"time_zone": time_zone or program_settings().time_zone})
    return profile


def email_mark_verified(user: User) -> None:
    """The person's address is verified (an invitation's link reached it, or staff vouch for it)."""
    address, created = EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True})
    if not created and not address.verified:
        EmailAddress.objects.filter(pk=address.pk).update(verified=True)


def staff_account_ensure(*, email: str, password: str | None) -> tuple[User, bool]:
    """A program staff account for `email` (a verified address, the staff role), created if need be.

    Idempotent: an existing account keeps everything but gets the role and a verified
    address; `password`, when given, is set. Returns (user, created).
    """
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
    email_mark_verified(user)
    role_grant(user, Role.STAFF)
    return user, created

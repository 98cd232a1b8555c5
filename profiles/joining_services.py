"""Invitations, requests to join, and orientation: the writes (views stay thin)."""

import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .joining import Invitation, JoinRequest, OrientationAck, OrientationItem, token_hash
from .models import Membership, Role, SupportGroup, User
from .services import email_mark_verified, role_grant
from .signals import invitation_sent, join_decided, join_requested

INVITATION_DAYS = 14


class JoiningError(Exception):
    """A refused change, with a message fit to show the person who asked."""


# --- Invitations -----------------------------------------------------------------


def roles_inviter_may_give(user: User, group: SupportGroup) -> list[str]:
    """Staff invite anyone to any group, coordinators included; a coordinator invites to their own groups."""
    if user.is_program_staff:
        return list(Invitation.Role.values)
    if group.pk in user.coordinated_group_ids:
        return [Invitation.Role.MENTEE, Invitation.Role.MENTOR, Invitation.Role.MEA]
    return []


def invitation_create(*, by: User, group: SupportGroup, email: str, role: str) -> Invitation:
    """Invite `email` to `group` with `role`, and email the link (after commit)."""
    email = email.strip().lower()
    if role not in roles_inviter_may_give(by, group):
        raise JoiningError(_("You cannot invite people to this group with that role."))
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                email=email, group=group, role=role, token_hash=token_hash(token), invited_by=by,
                created_at=now, sent_at=now, expires_at=now + timedelta(days=INVITATION_DAYS),
            )
    except IntegrityError:
        raise JoiningError(_("%(email)s already has an invitation waiting for this group and role; resend it instead.")
                           % {"email": email}) from None
    invitation_sent.send(Invitation, invitation=invitation, token=token)
    return invitation


def _locked_pending(invitation_id: int, by: User) -> Invitation:
    # Lock: a resend racing an acceptance must not hand out a new link to a used invitation.
    invitation = Invitation.objects.visible_to(by).select_for_update().filter(pk=invitation_id).first()
    if invitation is None:
        raise JoiningError(_("That invitation is not yours to change."))
    if invitation.status != Invitation.Status.PENDING:
        raise JoiningError(_("That invitation was already %(status)s.") % {"status": invitation.get_status_display().lower()})
    return invitation


@transaction.atomic
def invitation_resend(*, invitation_id: int, by: User) -> Invitation:
    """A new link (the old one stops working) and a new expiry, emailed again."""
    invitation = _locked_pending(invitation_id, by)
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation.token_hash, invitation.sent_at = token_hash(token), now
    invitation.expires_at = now + timedelta(days=INVITATION_DAYS)
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
    invitation_sent.send(Invitation, invitation=invitation, token=token)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation_id: int, by: User) -> Invitation:
    invitation = _locked_pending(invitation_id, by)
    invitation.status, invitation.answered_at = Invitation.Status.REVOKED, timezone.now()
    invitation.save(update_fields=["status", "answered_at"])
    return invitation


def invitation_by_token(token: str) -> Invitation | None:
    """The usable invitation this link's token names, or None (unknown, used, revoked or expired)."""
    invitation = Invitation.objects.filter(token_hash=token_hash(token)).select_related("group").first()
    return invitation if invitation and invitation.is_usable else None


def member_add(*, user: User, group: SupportGroup, role: str | None, by: User | None) -> None:
    """Put `user` in `group` and give the role (a mentor applies: membership only, the application follows)."""
    Membership.objects.get_or_create(user=user, group=group)
    if role in (Role.MENTEE, Role.MEA, Role.COORDINATOR):
        role_grant(user, role, group=group, by=by)


@transaction.atomic
def invitation_accept(*, invitation_id: int, user: User, verify: bool = True) -> Invitation:
    """`user` (signed in with the invited address) takes the invitation: member of the group, with the role.

    `verify`: mark their address verified (the link reached it). At sign-up allauth does
    that itself, from the address the link stashed in the session."""
    # Claim with a conditional update: of two tabs accepting at once, one wins.
    claimed = Invitation.objects.filter(
        pk=invitation_id, status=Invitation.Status.PENDING, expires_at__gt=timezone.now(), email__iexact=user.email,
    ).update(status=Invitation.Status.ACCEPTED, accepted_by=user, answered_at=timezone.now())
    if not claimed:
        raise JoiningError(_("This invitation cannot be used: it was used, revoked or has expired, "
                             "or it was sent to another address. Ask your coordinator for a new one."))
    invitation = Invitation.objects.select_related("group", "invited_by").get(pk=invitation_id)
    member_add(user=user, group=invitation.group, role=invitation.role, by=invitation.invited_by)
    if verify:
        email_mark_verified(user)
    return invitation


# --- Requests to join ---------------------------------------------------------------


def groups_open_to(user: User):
    """Groups a member may ask to join: listed ones they are not in yet."""
    return SupportGroup.objects.filter(open_to_requests=True).exclude(memberships__user=user).order_by("name")


def join_request_create(*, user: User, group: SupportGroup, note: str = "") -> JoinRequest:
    if Membership.objects.filter(user=user, group=group).exists():
        raise JoiningError(_("You are already a member of %(group)s.") % {"group": group.name})
    try:
        with transaction.atomic():
            join = JoinRequest.objects.create(user=user, group=group, note=note.strip()[:300])
    except IntegrityError:
        raise JoiningError(_("You already asked to join %(group)s; a coordinator will answer.")
                           % {"group": group.name}) from None
    join_requested.send(JoinRequest, join_request=join, coordinators=list(User.objects.coordinators_of(group.pk)))
    return join


@transaction.atomic
def join_request_decide(*, request_id: int, by: User, approve: bool) -> JoinRequest:
    # Lock: two coordinators answering at once give one answer.
    join = JoinRequest.objects.visible_to(by).select_for_update().filter(pk=request_id).first()
    if join is None:
        raise JoiningError(_("That request is not yours to answer."))
    if join.status != JoinRequest.Status.PENDING:
        raise JoiningError(_("That request was already answered."))
    join.status = JoinRequest.Status.APPROVED if approve else JoinRequest.Status.DECLINED
    join.decided_at, join.decided_by = timezone.now(), by
    join.save(update_fields=["status", "decided_at", "decided_by"])
    group = SupportGroup.objects.get(pk=join.group_id)
    if approve:
        member_add(user=join.user, group=group, role=Role.MENTEE, by=by)
    join_decided.send(JoinRequest, join_request=join, approved=approve)
    return join


# --- Orientation ---------------------------------------------------------------------


def orientation_role(user: User) -> str:
    """Which orientation a person takes: the MEA's when they are an MEA, else the mentor's."""
    return OrientationItem.Audience.MEA if Role.MEA in user.roles else OrientationItem.Audience.MENTOR


def orientation_missing(user: User, role: str | None = None) -> list[OrientationItem]:
    """The orientation items `user` has not acknowledged yet, for `role` (mentor or mea)."""
    role = role or orientation_role(user)
    done = OrientationAck.objects.filter(user=user).values("item_id")
    return list(OrientationItem.objects.for_role(role).exclude(pk__in=done))


def orientation_require(user: User, role: str) -> None:
    """Raise JoiningError unless `user` completed the orientation for `role` (services call it before a first match)."""
    if orientation_missing(user, role):
        who = _("an MEA") if role == OrientationItem.Audience.MEA else _("a mentor")
        raise JoiningError(_("%(name)s has not completed the orientation for %(who)s yet (Orientation, "
                             "in the menu): it comes before a first match.") % {"name": user.display_name, "who": who})


def orientation_acknowledge(*, user: User, item_id: int) -> OrientationAck:
    item = OrientationItem.objects.filter(pk=item_id, active=True).first()
    if item is None:
        raise JoiningError(_("That orientation item no longer exists."))
    ack, _created = OrientationAck.objects.get_or_create(user=user, item=item)
    return ack

"""The coordinators' members page: everyone in their groups with roles, match status,
last check-in and orientation; appoint or retire an MEA, move someone to another of
their groups, remove someone from a group (ending their matches through the match
service, so the other side and the MEA are told). Every change is audited.

Lives in `support` because the page reads check-ins; it writes through the
services of profiles (roles, memberships) and matches (ending a match).
"""

from django.contrib import messages
from django.contrib.postgres.aggregates import ArrayAgg
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from matches.models import Match
from matches.services import MatchingError, match_end
from matches.waiting import waiting_since_refresh
from notifications.services import notice_create
from profiles.access import role_required
from profiles.joining import JoinRequest, OrientationAck, OrientationItem
from profiles.joining_services import JoiningError, join_request_decide
from profiles.models import Membership, Role, RoleGrant, SupportGroup, User
from profiles.services import role_end, role_grant

from .models import CheckIn

PAGE_SIZE = 100


class MemberError(Exception):
    """A refused change, with a message fit to show the coordinator."""


def _group_ids(user) -> set[int] | None:
    """The groups whose members `user` manages (None: every group, for staff)."""
    return None if user.is_program_staff else set(user.coordinated_group_ids)


def members_page(user, page_number):
    """One page of memberships in the groups `user` manages, each with what the page shows, in a fixed number of queries."""
    groups = _group_ids(user)
    memberships = Membership.objects.all() if groups is None else Membership.objects.filter(group_id__in=groups)
    missing = OrientationItem.objects.filter(active=True).exclude(
        Exists(OrientationAck.objects.filter(item=OuterRef("pk"), user=OuterRef(OuterRef("user_id")))))
    rows = (
        memberships.select_related("user__profile", "group")
        .annotate(
            mentoring=Count("user__mentor_matches", filter=Q(user__mentor_matches__status=Match.Status.ACTIVE),
                            distinct=True),
            mentored=Count("user__mentee_matches", filter=Q(user__mentee_matches__status=Match.Status.ACTIVE),
                           distinct=True),
            orientation_missing=Exists(missing),
            # The roles held in this group (or program-wide), in the same query.
            roles=ArrayAgg("user__role_grants__role", distinct=True, filter=(
                Q(user__role_grants__ended_at=None) & ~Q(user__role_grants__role=Role.STAFF)
                & (Q(user__role_grants__group_id=F("group_id")) | Q(user__role_grants__group__isnull=True)))),
            last_checkin=Subquery(
                CheckIn.objects.filter(Q(match__mentor_id=OuterRef("user_id")) | Q(match__mentee_id=OuterRef("user_id")),
                                       match__group_id=OuterRef("group_id"))
                .order_by("-held_on").values("held_on")[:1]),
        )
        .order_by("group__name", "user__email")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(page_number)
    labels = dict(Role.choices)
    for row in page.object_list:
        row.roles = [role for role in row.roles or [] if role]
        row.role_labels = sorted(str(labels[role]) for role in row.roles)
        row.is_mea = Role.MEA in row.roles
        row.needs_orientation = row.is_mea or Role.MENTOR in row.roles  # only mentors and MEAs take it
    return page


@never_cache
@role_required(Role.COORDINATOR, Role.STAFF)
def members(request):
    groups = _group_ids(request.user)
    managed = SupportGroup.objects.all() if groups is None else SupportGroup.objects.filter(pk__in=groups)
    requests = JoinRequest.objects.visible_to(request.user).filter(status=JoinRequest.Status.PENDING).select_related(
        "user__profile", "group")
    return render(request, "support/members.html", {
        "page": members_page(request.user, request.GET.get("page")),
        "groups": list(managed.order_by("name")),
        "join_requests": requests[:PAGE_SIZE],
    })


# --- Services -------------------------------------------------------------------------


def _check_manages(by: User, group_id: int) -> None:
    groups = _group_ids(by)
    if groups is not None and group_id not in groups:
        raise Http404


@transaction.atomic
def member_mea_set(*, user: User, group: SupportGroup, by: User, appoint: bool) -> None:
    """Appoint or retire an MEA of `group`. Retiring someone who still supports active matches is refused."""
    _check_manages(by, group.pk)
    if appoint:
        role_grant(user, Role.MEA, group=group, by=by)
        notice_create(user, _("You are now an MEA of %(group)s: please complete the MEA orientation") % {"group": group.name},
               "/people/orientation/?for=mea")
        return
    if Match.objects.active().filter(mea=user, group=group).exists():
        raise MemberError(_("%(name)s still supports matches in this group: give them another MEA first "
                            "(Check-ins).") % {"name": user.display_name})
    role_end(user, Role.MEA, group=group)


@transaction.atomic
def member_move(*, user: User, group: SupportGroup, to: SupportGroup, by: User) -> None:
    """Move a member to another of `by`'s groups; their group roles move with them."""
    _check_manages(by, group.pk)
    _check_manages(by, to.pk)
    if group.pk == to.pk:
        raise MemberError(_("Choose another group."))
    membership = Membership.objects.select_for_update().filter(user=user, group=group).first()
    if membership is None:
        raise MemberError(_("%(name)s is not in %(group)s.") % {"name": user.display_name, "group": group.name})
    if Match.objects.active().filter(Q(mentor=user) | Q(mentee=user) | Q(mea=user), group=group).exists():
        raise MemberError(_("%(name)s has an active match in %(group)s: end it or move it first.")
                          % {"name": user.display_name, "group": group.name})
    Membership.objects.get_or_create(user=user, group=to)
    membership.delete()
    for grant in RoleGrant.objects.filter(user=user, group=group, ended_at=None):
        role_end(user, grant.role, group=group)
        role_grant(user, grant.role, group=to, by=by)
    waiting_since_refresh([user.pk])  # a waiting mentee now waits in the other group
    notice_create(user, _("You are now in %(group)s") % {"group": to.name}, "/")


@transaction.atomic
def member_remove(*, user: User, group: SupportGroup, by: User) -> int:
    """Take `user` out of `group`: their active matches there end (the other side and the MEA are
    told, through matches.services.match_end), their group roles end. Returns matches ended."""
    _check_manages(by, group.pk)
    membership = Membership.objects.select_for_update().filter(user=user, group=group).first()
    if membership is None:
        raise MemberError(_("%(name)s is not in %(group)s.") % {"name": user.display_name, "group": group.name})
    if Match.objects.active().filter(mea=user, group=group).exists():
        raise MemberError(_("%(name)s supports matches in this group as an MEA: give them another MEA first.")
                          % {"name": user.display_name})
    ended = 0
    for match in Match.objects.active().filter(Q(mentor=user) | Q(mentee=user), group=group):
        try:
            match_end(match_id=match.pk, by=user, reason=_("Left the group (removed by a coordinator)."))
            ended += 1
        except MatchingError as exc:
            raise MemberError(str(exc)) from None
    for grant in RoleGrant.objects.filter(user=user, group=group, ended_at=None):
        role_end(user, grant.role, group=group)
    membership.delete()
    waiting_since_refresh([user.pk])  # no longer waiting in this group
    return ended


@role_required(Role.COORDINATOR, Role.STAFF)
@require_POST
def member_change(request, group_id, user_id, action):
    """One button of the members page: appoint-mea, retire-mea, move, remove."""
    groups = _group_ids(request.user)
    scope = Membership.objects.all() if groups is None else Membership.objects.filter(group_id__in=groups)
    membership = get_object_or_404(scope.select_related("user", "group"), group_id=group_id, user_id=user_id)
    user, group = membership.user, membership.group
    try:
        if action in ("appoint-mea", "retire-mea"):
            member_mea_set(user=user, group=group, by=request.user, appoint=action == "appoint-mea")
            done = _("%(name)s is now an MEA.") if action == "appoint-mea" else _("%(name)s is no longer an MEA.")
        elif action == "move":
            to = SupportGroup.objects.filter(pk=request.POST.get("to") or 0).first()
            if to is None:
                raise MemberError(_("Choose the group to move them to."))
            member_move(user=user, group=group, to=to, by=request.user)
            done = _("%(name)s was moved.")
        elif action == "remove":
            if not request.POST.get("confirm"):
                raise MemberError(_("Tick the box to confirm: their matches in this group will end."))
            member_remove(user=user, group=group, by=request.user)
            done = _("%(name)s was removed from the group; anyone matched with them was told.")
        else:
            raise Http404
    except MemberError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done % {"name": user.display_name})
    return redirect("support:members")


@role_required(Role.COORDINATOR, Role.STAFF)
def member_remove_confirm(request, group_id, user_id):
    """Asks before removing someone from a group (issue 19): says what happens next; the
    button posts to member_change's "remove"."""
    groups = _group_ids(request.user)
    scope = Membership.objects.all() if groups is None else Membership.objects.filter(group_id__in=groups)
    membership = get_object_or_404(scope.select_related("user__profile", "group"), group_id=group_id, user_id=user_id)
    active = Match.objects.filter(Q(mentor=membership.user) | Q(mentee=membership.user), group=membership.group,
                                  status=Match.Status.ACTIVE).count()
    return render(request, "support/member_remove_confirm.html", {"membership": membership, "active": active})


@role_required(Role.COORDINATOR, Role.STAFF)
@require_POST
def join_decide(request, pk, action):
    """Approve or decline a request to join, from the requests on the members page."""
    join = get_object_or_404(JoinRequest.objects.visible_to(request.user).select_related("user__profile", "group"), pk=pk)
    if action not in ("approve", "decline"):
        raise Http404
    if action == "decline" and not request.POST.get("confirm") and join.status == JoinRequest.Status.PENDING:
        # They are told at once and it cannot be taken back: ask first, on a page of its own.
        return render(request, "support/join_decline_confirm.html", {"join": join})
    try:
        join = join_request_decide(request_id=pk, by=request.user, approve=action == "approve")
    except JoiningError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(name)s was told.") % {"name": join.user.display_name})
    return redirect("support:members")

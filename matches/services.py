"""Writes about matching: mentor applications, mentor availability, proposals
and consent, and the end of a match.

Every transition locks what it changes, checks the move is allowed (raising
MatchingError with a message for people), saves, writes a MatchEvent and
queues its emails (sent after commit). Lock order, always the same so that two
requests can never wait on each other: proposal → mentor's MentorProfile →
mentee's User row → match.
"""

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from profiles.acting import acting_for
from profiles.joining import OrientationItem
from profiles.joining_services import JoiningError, orientation_require
from profiles.models import Membership, Role, SupportGroup, Topic, User
from profiles.program import program_settings
from profiles.services import role_grant

from . import notices
from .errors import MatchingError
from .models import Match, MatchEvent, MentorApplication, MentorProfile, Proposal, Quality
from .selectors import suggest_mea
from .signals import match_changed
from .waiting import waiting_since_refresh

log = logging.getLogger(__name__)

def _locked(queryset, pk, what: str):
    try:
        # of=("self",): lock only this row, not the rows joined by select_related.
        return queryset.select_for_update(of=("self",)).get(pk=int(pk))
    except (queryset.model.DoesNotExist, TypeError, ValueError) as exc:
        raise MatchingError(_("No such %(what)s.") % {"what": what}) from exc


def _event(kind: str, actor: User | None, *, match: Match | None = None, proposal: Proposal | None = None) -> None:
    MatchEvent.objects.create(kind=kind, actor=actor, match=match, proposal=proposal)


# --- Becoming a mentor -------------------------------------------------------


@transaction.atomic
def application_submit(
    *, applicant: User, group: SupportGroup, months_in_group: int, qualities: list[str],
    topics: list[Topic] | None = None, experiences: str = "", capacity: int = 2,
) -> MentorApplication:
    if not Membership.objects.filter(user=applicant, group=group).exists():
        raise MatchingError(_("You can apply only in a group you belong to."))
    chosen = [q for q in Quality.values if q in set(qualities or [])]
    if not chosen or len(chosen) != len(set(qualities)):
        raise MatchingError(_("Choose at least one of the qualities (not all are required)."))
    if not 1 <= int(capacity) <= 10:
        raise MatchingError(_("Capacity is between 1 and 10 mentees."))
    if MentorProfile.objects.filter(user=applicant).exclude(status=MentorProfile.Status.RETIRED).exists():
        raise MatchingError(_("You are already a mentor."))
    try:
        # A savepoint: the one-pending constraint may refuse a double submit.
        with transaction.atomic():
            application = MentorApplication.objects.create(
                applicant=applicant, group=group, months_in_group=months_in_group, qualities=chosen,
                experiences=experiences, capacity=capacity,
            )
    except IntegrityError as exc:
        raise MatchingError(_("You already have an application waiting for review.")) from exc
    application.topics.set(topics or [])
    notices.application_submitted(application)
    return application


def _application_review(application_id, by: User, status: str, note: str) -> MentorApplication:
    # Lock the application: two coordinators reviewing at once, one wins.
    application = _locked(MentorApplication.objects.visible_to(by), application_id, _("application"))
    if not (by.is_program_staff or application.group_id in by.coordinated_group_ids):
        raise MatchingError(_("No such application."))
    if not application.can_move_to(status):
        raise MatchingError(_("This application was already reviewed."))
    application.move(status, reviewer=by, review_note=note, reviewed_at=timezone.now())
    return application


@transaction.atomic
def application_approve(*, application_id, by: User, note: str = "") -> MentorApplication:
    application = _application_review(application_id, by, MentorApplication.Status.APPROVED, note)
    role_grant(application.applicant, Role.MENTOR, by=by)
    MentorProfile.objects.update_or_create(
        user=application.applicant,
        defaults={"capacity": application.capacity, "status": MentorProfile.Status.AVAILABLE,
                  "approved_at": timezone.now()},
    )
    notices.application_decided(application)
    return application


@transaction.atomic
def application_decline(*, application_id, by: User, note: str = "") -> MentorApplication:
    application = _application_review(application_id, by, MentorApplication.Status.DECLINED, note)
    notices.application_decided(application)
    return application


@transaction.atomic
def mentor_set_status(*, mentor: User, status: str, by: User) -> MentorProfile:
    # Lock the mentor's row: a proposal being created at the same moment waits
    # for this, then sees the new status (a paused mentor gets no new proposal).
    try:
        profile = MentorProfile.objects.select_for_update().get(user=mentor)
    except MentorProfile.DoesNotExist as exc:
        raise MatchingError(_("You are not an approved mentor.")) from exc
    if by.pk != mentor.pk and not by.is_program_staff:
        raise MatchingError(_("You are not an approved mentor."))
    if not profile.can_move_to(status):
        raise MatchingError(_("You are already %(status)s.") % {"status": profile.get_status_display().lower()})
    profile.status = status
    profile.save(update_fields=["status", "updated_at"])
    if status != MentorProfile.Status.AVAILABLE:
        # Open proposals end with the pause (current matches go on). After
        # commit: locking proposals here, after the profile, could wait on an
        # accept that holds a proposal and waits for this profile.
        transaction.on_commit(partial(_tidy_after_commit, mentor_id=mentor.pk))
    return profile


def mentor_pause(*, mentor: User, by: User) -> MentorProfile:
    return mentor_set_status(mentor=mentor, status=MentorProfile.Status.PAUSED, by=by)


def mentor_resume(*, mentor: User, by: User) -> MentorProfile:
    return mentor_set_status(mentor=mentor, status=MentorProfile.Status.AVAILABLE, by=by)


def mentor_retire(*, mentor: User, by: User) -> MentorProfile:
    return mentor_set_status(mentor=mentor, status=MentorProfile.Status.RETIRED, by=by)


@transaction.atomic
def mentor_capacity_set(*, mentor: User, capacity: int, by: User) -> MentorProfile:
    profile = MentorProfile.objects.select_for_update().filter(user=mentor).first()
    if profile is None or by.pk != mentor.pk:
        raise MatchingError(_("You are not an approved mentor."))
    if not 1 <= int(capacity) <= 10:
        raise MatchingError(_("Capacity is between 1 and 10 mentees."))
    profile.capacity = capacity
    profile.save(update_fields=["capacity", "updated_at"])
    return profile


# --- Proposals ---------------------------------------------------------------


def _proposal_group(mentor: User, mentee: User, group: SupportGroup | None) -> SupportGroup:
    mentee_groups = list(Membership.objects.filter(user=mentee).values_list("group_id", flat=True))
    if group is not None:
        if group.pk not in mentee_groups:
            raise MatchingError(_("The mentee is not in that group."))
        return group
    if not mentee_groups:
        raise MatchingError(_("The mentee is not in any group."))
    shared = Membership.objects.filter(user=mentor, group_id__in=mentee_groups).order_by("group_id").first()
    return SupportGroup.objects.get(pk=shared.group_id if shared else min(mentee_groups))


@transaction.atomic
def proposal_create(
    *, mentor: User, mentee: User, by: User, kind: str, reason: str = "",
    group: SupportGroup | None = None, confirm_not_close: bool = False,
) -> Proposal:
    """Start a proposal, one of three ways. The person who starts it as mentor
    or mentee accepts in the same step (and confirms they are not close)."""
    if mentor.pk == mentee.pk:
        raise MatchingError(_("A mentor cannot be matched with themselves."))
    if kind == Proposal.Kind.MENTEE and by.pk != mentee.pk or kind == Proposal.Kind.MENTOR and by.pk != mentor.pk:
        raise MatchingError(_("No such person."))
    if kind not in Proposal.Kind.values:
        raise MatchingError(_("No such person."))
    if not mentee.has_role(Role.MENTEE):
        raise MatchingError(_("This person is not looking for a mentor."))
    group = _proposal_group(mentor, mentee, group)
    if kind == Proposal.Kind.COORDINATOR and not (by.is_program_staff or group.pk in by.coordinated_group_ids):
        raise MatchingError(_("No such person."))
    if kind != Proposal.Kind.COORDINATOR and not confirm_not_close:
        raise MatchingError(_("Please confirm you are not close friends or romantic partners."))
    _oriented(mentor)
    # Lock the mentor's row: a pause at the same moment either happens first
    # (and we refuse) or waits for this proposal (and withdraws it).
    profile = MentorProfile.objects.select_for_update().filter(user=mentor).first()
    if profile is None or profile.status != MentorProfile.Status.AVAILABLE:
        raise MatchingError(_("This mentor is not taking new mentees right now."))
    if Match.objects.active().filter(mentor=mentor).count() >= profile.capacity:
        raise MatchingError(_("This mentor has no room for another mentee right now."))
    # Lock the mentee's row: counts of their asks and matches hold until commit.
    User.objects.select_for_update().filter(pk=mentee.pk).first()
    if Match.objects.active().filter(mentee=mentee).exists():
        raise MatchingError(_("This mentee already has a mentor."))
    if kind == Proposal.Kind.MENTEE:
        asks = Proposal.objects.open().filter(mentee=mentee, initiated_by=Proposal.Kind.MENTEE).count()
        if asks >= settings.MAX_OPEN_ASKS:
            raise MatchingError(
                _("You can ask at most %(n)d mentors at once. Wait for an answer or withdraw an ask.")
                % {"n": settings.MAX_OPEN_ASKS}
            )
    now = timezone.now()
    fields = {}
    if kind in (Proposal.Kind.MENTOR, Proposal.Kind.MENTEE):
        fields = {f"{kind}_accepted_at": now, f"{kind}_confirmed_not_close": True}
    try:
        with transaction.atomic():
            proposal = Proposal.objects.create(
                mentor=mentor, mentee=mentee, group=group, initiated_by=kind, initiator=by, reason=reason,
                expires_at=now + timedelta(hours=program_settings().proposal_expire_after), **fields,
            )
    except IntegrityError as exc:
        raise MatchingError(_("These two already have an open proposal.")) from exc
    _event(MatchEvent.Kind.PROPOSED, by, proposal=proposal)
    notices.proposal_sent(proposal)
    return proposal


@transaction.atomic
def proposal_accept(*, proposal_id, by: User, confirm_not_close: bool) -> Proposal:
    """Record one side's consent; when both have consented the match starts."""
    # Lock the proposal: a double click or two tabs accept once.
    proposal = _locked(Proposal.objects.select_related("mentor", "mentee"), proposal_id, _("proposal"))
    side = proposal.side_of(by)
    if side is None:
        raise MatchingError(_("No such proposal."))
    _check_open(proposal)
    if proposal.accepted_by(side):
        raise MatchingError(_("You have already accepted this proposal."))
    if not confirm_not_close:
        raise MatchingError(_("Please confirm you are not close friends or romantic partners."))
    _oriented(proposal.mentor)
    setattr(proposal, f"{side}_accepted_at", timezone.now())
    setattr(proposal, f"{side}_confirmed_not_close", True)
    proposal.save(update_fields=[f"{side}_accepted_at", f"{side}_confirmed_not_close"])
    _event(MatchEvent.Kind.ACCEPTED, by, proposal=proposal)
    if proposal.mentor_accepted_at and proposal.mentee_accepted_at:
        _activate(proposal, by)
    else:
        notices.proposal_accepted_by_one(proposal, by)
    return proposal


def _oriented(mentor: User) -> None:
    """A mentor completes the orientation before a proposal is sent to them or accepted."""
    try:
        orientation_require(mentor, OrientationItem.Audience.MENTOR)
    except JoiningError as exc:
        raise MatchingError(str(exc)) from None


def _check_open(proposal: Proposal) -> None:
    if proposal.status == Proposal.Status.EXPIRED or (proposal.is_open and proposal.expires_at <= timezone.now()):
        raise MatchingError(_("This proposal has expired."))
    if proposal.status == Proposal.Status.ACCEPTED:
        raise MatchingError(_("This proposal was already accepted by both of you."))
    if not proposal.is_open:
        raise MatchingError(_("This proposal is no longer open."))


def _activate(proposal: Proposal, by: User) -> Match:
    """Both said yes: start the match, if the mentee is free and the mentor has room."""
    # Lock the mentor's profile, then the mentee's row (always this order):
    # two acceptances for the same mentor, or for the same mentee, run one
    # after the other, so each sees the other's match before counting.
    profile = MentorProfile.objects.select_for_update().filter(user_id=proposal.mentor_id).first()
    User.objects.select_for_update().filter(pk=proposal.mentee_id).first()
    if profile is None or profile.status != MentorProfile.Status.AVAILABLE:
        raise MatchingError(_("This mentor is not taking new mentees right now."))
    if Match.objects.active().filter(mentee_id=proposal.mentee_id).exists():
        raise MatchingError(_("This mentee already has a mentor."))
    if Match.objects.active().filter(mentor_id=proposal.mentor_id).count() >= profile.capacity:
        raise MatchingError(_("This mentor has no room for another mentee right now."))
    try:
        # The database has the last word (one active match per mentee).
        with transaction.atomic(), acting_for(by):
            match = Match.objects.create(
                mentor_id=proposal.mentor_id, mentee_id=proposal.mentee_id, group_id=proposal.group_id,
                mea=suggest_mea(proposal.group_id),
            )
    except IntegrityError as exc:
        raise MatchingError(_("This mentee already has a mentor.")) from exc
    proposal.move(Proposal.Status.ACCEPTED, decided_at=timezone.now(), match=match)
    _event(MatchEvent.Kind.STARTED, by, match=match, proposal=proposal)
    match_changed.send(sender=Match, match_ids=[match.pk])
    waiting_since_refresh([match.mentee_id])  # the mentee no longer waits
    if match.mea_id:
        _event(MatchEvent.Kind.MEA_ASSIGNED, None, match=match)
    notices.match_started(match)
    # After commit: other open proposals of this pair's people are tidied by a
    # task (locking them here could wait on a request that holds them).
    transaction.on_commit(partial(_tidy_after_commit, mentor_id=match.mentor_id, mentee_id=match.mentee_id))
    return match


def _tidy_after_commit(*, mentor_id: int | None = None, mentee_id: int | None = None) -> None:
    """Withdraw the proposals a change made hopeless, right after it committed.

    In this process, not through the broker: it is a few rows, each locked in
    its own transaction, and it must not depend on Redis being up. A failure
    here is logged, not raised: the change is committed, and a hopeless
    proposal still cannot be accepted (the accept checks again) and expires.
    """
    try:
        _proposals_tidy(mentor_id=mentor_id, mentee_id=mentee_id)
    except Exception:  # noqa: BLE001
        log.exception("tidying proposals after commit failed (mentor %s, mentee %s)", mentor_id, mentee_id)


def _proposals_tidy(mentor_id: int | None = None, mentee_id: int | None = None) -> int:
    """Withdraw open proposals of this mentor/mentee that can no longer become a match."""
    qs = Proposal.objects.open()
    ids: set[int] = set()
    if mentor_id:
        ids |= set(qs.filter(mentor_id=mentor_id).values_list("pk", flat=True))
    if mentee_id:
        ids |= set(qs.filter(mentee_id=mentee_id).values_list("pk", flat=True))
    # One transaction per proposal, each locking only its own row.
    return sum(proposal_tidy(pk) for pk in sorted(ids))


@transaction.atomic
def proposal_decline(*, proposal_id, by: User) -> Proposal:
    proposal = _locked(Proposal.objects.select_related("mentor", "mentee"), proposal_id, _("proposal"))
    if proposal.side_of(by) is None:
        raise MatchingError(_("No such proposal."))
    _check_open(proposal)
    _proposal_close(proposal, by, Proposal.Status.DECLINED)
    return proposal


@transaction.atomic
def proposal_withdraw(*, proposal_id, by: User) -> Proposal:
    """The person who started it (or a coordinator of the group) takes it back."""
    proposal = _locked(Proposal.objects.select_related("mentor", "mentee"), proposal_id, _("proposal"))
    if not proposal.may_withdraw(by):
        raise MatchingError(_("No such proposal."))
    if not proposal.is_open:
        raise MatchingError(_("This proposal is no longer open."))
    _proposal_close(proposal, by, Proposal.Status.WITHDRAWN)
    return proposal


def _proposal_close(proposal: Proposal, by: User | None, status: str, *, tell: bool = True) -> None:
    """Close a locked, open proposal as declined or withdrawn."""
    proposal.move(status, decided_at=timezone.now())
    kind = MatchEvent.Kind.DECLINED if status == Proposal.Status.DECLINED else MatchEvent.Kind.WITHDRAWN
    _event(kind, by, proposal=proposal)
    if not tell:
        return
    if status == Proposal.Status.DECLINED and by is not None:
        notices.proposal_declined(proposal, by)
    elif status == Proposal.Status.WITHDRAWN and (by is None or by.pk != proposal.mentee_id):
        # Withdrawn by the mentor, a coordinator or the system: the mentee
        # hears it gently, as for a decline ("may already be committed").
        notices.proposal_declined(proposal, proposal.mentor)


@transaction.atomic
def proposal_tidy(proposal_id: int) -> bool:
    """Withdraw an open proposal that can no longer become a match (the mentee
    has a mentor, or the mentor is paused, retired or full)."""
    proposal = (
        Proposal.objects.select_for_update(of=("self",)).select_related("mentor", "mentee").filter(pk=proposal_id).first()
    )
    if proposal is None or not proposal.is_open:
        return False
    profile = MentorProfile.objects.filter(user_id=proposal.mentor_id).first()
    mentor_full = profile is None or profile.status != MentorProfile.Status.AVAILABLE or (
        Match.objects.active().filter(mentor_id=proposal.mentor_id).count() >= profile.capacity
    )
    mentee_matched = Match.objects.active().filter(mentee_id=proposal.mentee_id).exists()
    if not (mentor_full or mentee_matched):
        return False
    # A mentee who found a mentor needs no word about the other asks.
    _proposal_close(proposal, None, Proposal.Status.WITHDRAWN, tell=not mentee_matched)
    return True


def proposal_remind(proposal_id: int) -> bool:
    """Remind the sides that have not answered. At most once per proposal."""
    now = timezone.now()
    # Claim before sending: a retried or duplicated task must not remind twice.
    claimed = Proposal.objects.filter(pk=proposal_id, status=Proposal.Status.OPEN, reminded_at=None,
                                      expires_at__gt=now).update(reminded_at=now)
    if not claimed:
        return False
    proposal = Proposal.objects.select_related("mentor", "mentee").get(pk=proposal_id)
    _event(MatchEvent.Kind.REMINDED, None, proposal=proposal)
    notices.proposal_reminded(proposal)
    return True


def proposal_expire(proposal_id: int) -> bool:
    now = timezone.now()
    # Conditional update: an accept that got there first wins, and a second run does nothing.
    claimed = Proposal.objects.filter(pk=proposal_id, status=Proposal.Status.OPEN, expires_at__lte=now).update(
        status=Proposal.Status.EXPIRED, decided_at=now
    )
    if not claimed:
        return False
    proposal = Proposal.objects.select_related("mentor", "mentee").get(pk=proposal_id)
    _event(MatchEvent.Kind.EXPIRED, None, proposal=proposal)
    notices.proposal_expired(proposal)
    return True


# --- The end of a match ------------------------------------------------------


@transaction.atomic
def match_end(
    *, match_id, by: User, reason: str, gratitude_note: str = "", rating: int | None = None
) -> Match:
    # Lock the match: both sides ending at once end it once.
    match = _locked(Match.objects.select_related("mentor", "mentee"), match_id, _("match"))
    if not match.involves(by):
        raise MatchingError(_("No such match."))
    if not match.can_move_to(Match.Status.ENDED):
        raise MatchingError(_("This match has already ended."))
    if not (reason or "").strip():
        raise MatchingError(_("Please give a reason (only coordinators will see it)."))
    if rating is not None and not 1 <= int(rating) <= 5:
        raise MatchingError(_("The rating is from 1 to 5."))
    with acting_for(by):
        match.move(Match.Status.ENDED, ended_at=timezone.now(), ended_by=by, end_reason=reason.strip(),
                   gratitude_note=(gratitude_note or "").strip(), suitability_rating=rating)
    _event(MatchEvent.Kind.ENDED, by, match=match)
    match_changed.send(sender=Match, match_ids=[match.pk])
    waiting_since_refresh([match.mentee_id])  # the mentee waits again, from now
    notices.match_ended(match, by)
    return match

"""Writes about MEA support: assignment, check-ins, self check-ins, milestones.

Every function here that changes more than one row runs in one transaction and
locks what two people could change at once; views only call these and show
their `SupportError` as a message.
"""

import logging
from datetime import date

from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from escalations.guidance import guides_for
from escalations.routing import SITUATIONS_BY_KEY, About
from escalations.services import ConcernError, concern_raise
from matches.models import Match
from notifications.services import notice_create
from profiles.acting import acting_for
from profiles.joining import OrientationItem
from profiles.joining_services import JoiningError, orientation_require
from profiles.models import Role, User
from profiles.resubmit import resubmitted

from .cadence import next_due
from .models import CheckIn, CheckInRequest, MatchSupport, MEAProfile, Milestone
from .need import fresh_support, need_score_refresh

log = logging.getLogger(__name__)


class SupportError(Exception):
    """A refused change, with a message fit to show the person who asked for it."""


# --- MatchSupport: the per-match check-in state ------------------------------


def support_for(match: Match) -> MatchSupport:
    """The match's support row, created on first use (matches are made by another app)."""
    support = MatchSupport.objects.filter(match=match).first()
    if support is None:
        MatchSupport.objects.bulk_create([fresh_support(match)], ignore_conflicts=True)
        support = MatchSupport.objects.get(match=match)
    return support


def supports_ensure(batch_size: int = 2000) -> int:
    """Create the missing support rows of active matches, in bulk. Returns how many were created."""
    created = 0
    while True:
        missing = list(
            Match.objects.active().filter(support__isnull=True).only("pk", "started_at")[:batch_size]
        )
        if not missing:
            return created
        # ignore_conflicts: a check-in recorded meanwhile may have created the row already.
        MatchSupport.objects.bulk_create([fresh_support(m) for m in missing], ignore_conflicts=True)
        need_score_refresh([m.pk for m in missing])
        created += len(missing)


# --- MEA assignment ----------------------------------------------------------


def mea_candidates(group_id: int):
    """People who hold the MEA role in this group (or program-wide)."""
    return User.objects.filter(
        Q(role_grants__group_id=group_id) | Q(role_grants__group__isnull=True),
        role_grants__role=Role.MEA, role_grants__ended_at=None,
    ).select_related("profile").distinct().order_by("email")


def mea_caseload(mea: User) -> int:
    return Match.objects.active().filter(mea=mea).count()


def mea_profile_for(user: User) -> MEAProfile:
    profile, _created = MEAProfile.objects.get_or_create(user=user)
    return profile


def can_assign_mea(user: User, match: Match) -> bool:
    return user.is_program_staff or match.group_id in user.coordinated_group_ids


@transaction.atomic
def match_mea_assign(*, match: Match, mea: User, by: User) -> Match:
    """A coordinator of the match's group (or staff) makes `mea` the MEA of `match`, within their caseload."""
    if not can_assign_mea(by, match):
        raise SupportError(_("Only a coordinator of this group can choose its MEA."))
    if not mea_candidates(match.group_id).filter(pk=mea.pk).exists():
        raise SupportError(_("This person is not an MEA of the match's group."))
    if mea.pk in (match.mentor_id, match.mentee_id):
        raise SupportError(_("The MEA cannot be the mentor or the mentee of the match."))
    try:
        orientation_require(mea, OrientationItem.Audience.MEA)
    except JoiningError as exc:
        raise SupportError(str(exc)) from None
    mea_profile_for(mea)
    # Lock the MEA's profile: two coordinators assigning to the same MEA at once
    # must not both see room for one more match and overfill the caseload.
    profile = MEAProfile.objects.select_for_update().get(user=mea)
    # Lock the match too: it may be ended or reassigned at the same moment.
    match = Match.objects.select_for_update().get(pk=match.pk)
    if not match.is_active:
        raise SupportError(_("This match has ended; it no longer needs an MEA."))
    if match.mea_id == mea.pk:
        return match
    load = mea_caseload(mea)
    if load >= profile.caseload_limit:
        raise SupportError(
            _("%(name)s already supports %(load)d matches, their limit. Choose another MEA or raise their limit.")
            % {"name": mea.display_name, "load": load}
        )
    with acting_for(by):
        Match.objects.filter(pk=match.pk).update(mea=mea)
        match.mea = mea
        support = support_for(match)
        MatchSupport.objects.filter(pk=support.pk).update(
            mea_assigned_at=timezone.now(), mea_assigned_by=by
        )
    need_score_refresh([match.pk])
    url = reverse("support:match_detail", args=[match.pk])
    notice_create(mea, _("You now support a new match."), url)
    for person in (match.mentor, match.mentee):
        notice_create(person, _("Your match has an MEA to support you."), url)
    log.info("MEA %s assigned to match %s by %s", mea.pk, match.pk, by.pk)
    return match


# --- The hook into the escalation router ---------------------------------------


def needs_emergency_guidance(situations: list[str] | None) -> bool:
    """True when a worry names a situation that comes with guidance shown at once (an emergency, or
    thoughts of suicide with a plan: the crisis line). A worry is about the other person, never oneself."""
    return bool(guides_for(situations or [], About.MENTEE))


def concern_from_worry(*, reporter: User, match: Match, situations: list[str], details: str, source: str):
    """Open a concern through the escalation router for a worry that names table situations.

    The one place support calls the router (escalations.services.concern_raise).
    Called inside the caller's transaction: the check-in and the concern are
    saved together or not at all (a refused concern refuses the check-in, so a
    worry is never saved as if it had been escalated). Returns the concern, or
    None when no situation was named.
    """
    if not situations:
        return None
    # Who the worry is about: the seed's situations are about the mentee, as the
    # mentor or MEA sees them; a mentee's own worry is about the mentor.
    about = "mentor" if reporter.pk == match.mentee_id else "mentee"
    try:
        return concern_raise(
            reporter=reporter, match=match, situations=list(situations), about=about, details=details, source=source
        )
    except ConcernError as exc:
        raise SupportError(str(exc)) from exc


# --- Check-ins ---------------------------------------------------------------


def _valid_situations(situations) -> list[str]:
    return [s for s in (situations or []) if s in SITUATIONS_BY_KEY]


@transaction.atomic
def checkin_record(
    *, match: Match, mea: User, with_whom: str, rating: int, held_on: date | None = None,
    meetings_held: int = 0, meetings_cancelled: int = 0, to_celebrate: str = "", worrying: str = "",
    private_note: str = "", situations: list[str] | None = None,
) -> CheckIn:
    """The MEA records a check-in; the match's next due date moves on from it."""
    today = timezone.localdate()
    held_on = held_on or today
    if held_on > today:
        raise SupportError(_("A check-in cannot be recorded for a day that has not come yet."))
    if not 1 <= int(rating) <= 5:
        raise SupportError(_("The rating is from 1 to 5."))
    support_for(match)
    # Lock the support row: two check-ins saved at once would both read the same
    # count and due date, and the cadence would skip a step.
    support = MatchSupport.objects.select_for_update().select_related("match").get(pk=match.pk)
    match = support.match
    if match.mea_id != mea.pk:
        raise SupportError(_("Only the match's MEA records its check-ins."))
    if not match.is_active:
        raise SupportError(_("This match has ended."))
    situations = _valid_situations(situations)
    # A double submit is the same check-in: it neither counts twice nor raises a second concern.
    earlier = resubmitted(f"checkin:{mea.pk}", CheckIn.objects.filter(
        match=match, mea=mea, with_whom=with_whom, held_on=held_on, rating=rating, meetings_held=meetings_held,
        meetings_cancelled=meetings_cancelled, to_celebrate=to_celebrate, worrying=worrying,
        private_note=private_note, situations=situations,
    ))
    if earlier:
        return earlier
    with acting_for(mea):
        checkin = CheckIn.objects.create(
            match=match, mea=mea, with_whom=with_whom, held_on=held_on, due_on=support.next_due, rating=rating,
            meetings_held=meetings_held, meetings_cancelled=meetings_cancelled, to_celebrate=to_celebrate,
            worrying=worrying, private_note=private_note, situations=situations,
        )
        _support_after_checkin(support, checkin)
    need_score_refresh([match.pk])
    concern_from_worry(reporter=mea, match=match, situations=situations, details=worrying, source="checkin")
    return checkin


def _support_after_checkin(support: MatchSupport, checkin: CheckIn) -> None:
    """Move the cadence on. Check-ins on the same day (mentor, then mentee) count as one."""
    if support.last_checkin_on is None or checkin.held_on > support.last_checkin_on:
        support.checkins_done += 1
        support.last_checkin_on = checkin.held_on
    support.prev_rating, support.last_rating = support.last_rating, checkin.rating
    support.next_due = next_due(timezone.localdate(support.match.started_at), support.checkins_done, support.last_checkin_on)
    support.save(update_fields=["checkins_done", "last_checkin_on", "prev_rating", "last_rating", "next_due"])


# --- Self check-ins ----------------------------------------------------------


@transaction.atomic
def checkin_request_create(*, match: Match, by: User, respondent: User) -> CheckInRequest:
    """The MEA asks the mentor or the mentee to answer a short self check-in.

    The person hears about it from the reminder beat (email at a sensible local
    hour, and a notice in the portal), not from here.
    """
    # Lock the match: it could be ended or handed to another MEA at the same moment.
    match = Match.objects.select_for_update().get(pk=match.pk)
    if match.mea_id != by.pk:
        raise SupportError(_("Only the match's MEA can ask for a self check-in."))
    if not match.is_active:
        raise SupportError(_("This match has ended."))
    if respondent.pk not in (match.mentor_id, match.mentee_id):
        raise SupportError(_("Only the mentor or the mentee of this match can be asked."))
    pending = CheckInRequest.objects.filter(match=match, respondent=respondent, status=CheckInRequest.Status.PENDING)
    existing = pending.first()
    if existing:
        return existing
    with acting_for(by):
        return CheckInRequest.objects.create(match=match, asked_by=by, respondent=respondent)


@transaction.atomic
def checkin_request_answer(
    *, request: CheckInRequest, by: User, rating: int, meetings_held: int | None = None,
    meetings_cancelled: int | None = None, to_celebrate: str = "", worrying: str = "",
    situations: list[str] | None = None,
) -> CheckInRequest:
    """The mentor or mentee answers; the answer goes to the MEA only (a notice says one is waiting)."""
    # Lock the request: a double submit must not answer twice or raise two concerns.
    req = CheckInRequest.objects.select_for_update().select_related("match").get(pk=request.pk)
    if req.respondent_id != by.pk:
        raise SupportError(_("This self check-in was asked of someone else."))
    if not req.can_move_to(CheckInRequest.Status.ANSWERED):
        raise SupportError(_("This self check-in was already answered or withdrawn."))
    if not 1 <= int(rating) <= 5:
        raise SupportError(_("The rating is from 1 to 5."))
    situations = _valid_situations(situations)
    with acting_for(by):
        req.move(CheckInRequest.Status.ANSWERED, answered_at=timezone.now(), rating=rating, meetings_held=meetings_held,
                 meetings_cancelled=meetings_cancelled, to_celebrate=to_celebrate, worrying=worrying, situations=situations)
    need_score_refresh([req.match_id])
    if req.match.mea_id:
        notice_create(req.match.mea, _("A self check-in was answered."), reverse("support:request_detail", args=[req.pk]),
               dedupe_key=f"request-answered:{req.pk}")
    concern_from_worry(reporter=by, match=req.match, situations=situations, details=worrying, source="checkin")
    return req


def checkin_request_mark_read(request: CheckInRequest, by: User) -> None:
    if request.match.mea_id == by.pk and request.read_at is None:
        with acting_for(by):
            CheckInRequest.objects.filter(pk=request.pk, read_at=None).update(
                read_at=timezone.now()
            )
        need_score_refresh([request.match_id])


@transaction.atomic
def checkin_request_withdraw(*, request: CheckInRequest, by: User) -> CheckInRequest:
    # Lock the request: the person may be answering it right now.
    req = CheckInRequest.objects.select_for_update().select_related("match").get(pk=request.pk)
    if req.match.mea_id != by.pk:
        raise SupportError(_("Only the match's MEA can withdraw this request."))
    if not req.can_move_to(CheckInRequest.Status.WITHDRAWN):
        raise SupportError(_("This self check-in was already answered or withdrawn."))
    with acting_for(by):
        req.move(CheckInRequest.Status.WITHDRAWN)
    return req


# --- Celebrations --------------------------------------------------------------


def can_record_milestone(user: User, match: Match) -> bool:
    return user.pk in (match.mentor_id, match.mentee_id, match.mea_id)


@transaction.atomic
def milestone_record(*, match: Match, by: User, what: str, happened_on: date | None = None) -> Milestone:
    """The mentor, the mentee or the MEA records something to celebrate on the match (once, if sent twice)."""
    if not can_record_milestone(by, match):
        raise SupportError(_("Only the mentor, the mentee or the MEA can add a milestone."))
    what = (what or "").strip()
    if not what:
        raise SupportError(_("Say what happened."))
    happened_on = happened_on or timezone.localdate()
    if happened_on > timezone.localdate():
        raise SupportError(_("A milestone is something that already happened."))
    what = what[:200]
    earlier = resubmitted(f"milestone:{by.pk}", Milestone.objects.filter(
        match=match, recorded_by=by, what=what, happened_on=happened_on))
    return earlier or Milestone.objects.create(match=match, recorded_by=by, what=what, happened_on=happened_on)


def mea_caseloads(mea_ids) -> dict[int, int]:
    return dict(Match.objects.active().filter(mea_id__in=list(mea_ids)).values_list("mea_id").annotate(n=Count("pk")))



"""Every write to a concern: raise, acknowledge, start, note, escalate, assign,
resolve, the deadline follow-through, access records and debriefs.

A report and its routing decision are saved in one transaction; who must be told
is written in the same transaction as its outbox rows (notifications), and
delivery is queued after commit (escalations.notifications). A broker that is
down loses nothing: the beat drain delivers the rows later.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.access import access_record
from audit.models import AccessEvent
from matches.models import Match
from profiles.acting import acting_for
from profiles.models import Membership, User
from profiles.program import program_settings
from profiles.resubmit import resubmitted

from .models import Concern, ConcernEvent, Debrief
from .notifications import notifications_settle, plan_notifications
from .routing import MATCH_ROLES, About, Tier, UnknownSituation, route
from .signals import concern_changed

log = logging.getLogger(__name__)

DEFAULT_ACK_DEADLINES = {1: 72, 2: 24, 3: 1}  # hours, by tier


class ConcernError(Exception):
    """A change that is not allowed; the message is safe to show the person."""


def deadlines_in_force() -> dict[str, int]:
    """Hours to acknowledge by tier, from the program settings (default: ESCALATION_ACK_DEADLINES);
    keys as strings, for JSON."""
    hours = {**DEFAULT_ACK_DEADLINES, **program_settings().ack_deadlines}
    return {str(tier): float(hours[tier]) for tier in (1, 2, 3)}


def _hours(concern: Concern, tier: int) -> timedelta:
    return timedelta(hours=float(concern.deadlines.get(str(tier), DEFAULT_ACK_DEADLINES[tier])))


def _staff_deadline_tier(concern: Concern) -> int:
    # A tier-1 report that reached staff is held to the staff deadline.
    return max(concern.tier, Tier.STAFF)


def _role_in_match(user: User, match: Match) -> str | None:
    if user.pk == match.mentor_id:
        return About.MENTOR
    if user.pk == match.mentee_id:
        return About.MENTEE
    if match.mea_id and user.pk == match.mea_id:
        return About.MEA
    return None


def _shared_group_id(a: User, b: User) -> int | None:
    return (Membership.objects.filter(user=a, group_id__in=Membership.objects.filter(user=b).values("group_id"))
            .order_by("joined_on", "pk").values_list("group_id", flat=True).first())


def _who(reporter: User, match: Match | None, about: str, subject: User | None):
    """Check who the report is about; return (match, about, subject, group id) as the router needs them.

    A named member who is in fact the reporter's mentee, mentor or MEA is reported as
    such, so that the rules of the match hold (a report about an MEA never reaches them)."""
    if about in MATCH_ROLES:
        if match is None or _role_in_match(reporter, match) is None or match.status != Match.Status.ACTIVE:
            raise ConcernError(_("You can only report about a match you are part of."))
        if about == _role_in_match(reporter, match):
            if about == About.MEA:
                raise ConcernError(_("Choose who the report is about: the mentor or the mentee."))
            # A mentee (or mentor) who names their own place in the match speaks about themselves.
            return match, About.SELF, None, match.group_id
        return match, about, None, match.group_id
    if about == About.SELF:
        if match is not None and (match.status != Match.Status.ACTIVE
                                  or reporter.pk not in (match.mentor_id, match.mentee_id)):
            raise ConcernError(_("You can only report about a match you are part of."))
        group_id = match.group_id if match else reporter.memberships.order_by("joined_on", "pk").values_list(
            "group_id", flat=True).first()
        return match, about, None, group_id
    if about == About.MEMBER:
        group_id = _shared_group_id(reporter, subject) if subject and subject.pk != reporter.pk else None
        if group_id is None:
            raise ConcernError(_("Choose a person who shares a group with you, or \u201csomeone at the program\u201d."))
        shared = (Match.objects.active().filter(Q(mentor=reporter) | Q(mentee=reporter) | Q(mea=reporter))
                  .filter(Q(mentor=subject) | Q(mentee=subject) | Q(mea=subject)).order_by("-started_at").first())
        if shared is not None and _role_in_match(subject, shared) != _role_in_match(reporter, shared):
            return shared, _role_in_match(subject, shared), subject, shared.group_id
        return None, about, subject, group_id
    if about == About.SOMEONE:
        group_id = reporter.memberships.order_by("joined_on", "pk").values_list("group_id", flat=True).first()
        return None, about, None, group_id
    raise ConcernError(_("Say who it is about."))


def concern_raise(
    *, reporter: User, match: Match | None = None, situations: list[str], about: str, details: str = "",
    source: str = "portal", subject: User | None = None,
) -> Concern:
    """Save a report with its routing decision and queue who must be told (after commit).

    Anyone in the program may report: about the other people of their own active match,
    about themselves, about a person they share a group with, or about someone at the
    program they do not name. The report, its tier and its notifications are saved in
    one transaction: when this returns, staff (and the MEA) can already read it.
    """
    match, about, subject, group_id = _who(reporter, match, about, subject)
    try:
        decision = route(list(situations), about, match)
    except (UnknownSituation, ValueError) as exc:
        raise ConcernError(_("Choose at least one situation from the list.")) from exc
    now = timezone.now()
    deadlines = deadlines_in_force()
    # A report that goes to staff (tier 2-3, or tier 1 with no MEA to tell) is held to the staff deadline.
    deadline_tier = max(int(decision.tier), Tier.STAFF) if decision.notify_staff else int(decision.tier)
    # acting_for: its timeline's "reported" line and any history name the reporter.
    situations, details = list(dict.fromkeys(situations)), details.strip()
    with transaction.atomic(), acting_for(reporter):
        # A double submit is the same report: one report, its people told once.
        earlier = resubmitted(f"concern:{reporter.pk}", Concern.objects.filter(
            reporter=reporter, match=match, about=about, subject=subject, situations=situations, details=details,
            source=source))
        if earlier:
            return earlier
        concern = Concern.objects.create(
            reporter=reporter, match=match, about=about, subject=subject, group_id=group_id, situations=situations,
            details=details, source=source, tier=int(decision.tier), kind=decision.kind.value,
            routed_to_mea=decision.mea, escalated_to_staff=decision.notify_staff,
            escalated_at=now if decision.notify_staff else None, routing_reasons=list(decision.reasons),
            deadlines=deadlines, ack_deadline=now + timedelta(hours=deadlines[str(deadline_tier)]), created_at=now,
        )
        ConcernEvent.objects.create(concern=concern, actor=reporter, what=ConcernEvent.What.RAISED, created_at=now)
        if concern.tier >= Tier.STAFF:
            # A staff-tier report weighs on whoever made it: offer the reporter a debrief.
            owner = decision.mea if decision.mea and decision.mea.pk != reporter.pk else None
            Debrief.objects.create(concern=concern, person=reporter, owner=owner, due_on=(now + timedelta(days=3)).date())
        plan_notifications(concern, "raised", mea=bool(decision.mea), staff=decision.notify_staff)
        concern_changed.send(sender=Concern, match_id=concern.match_id)
    log.info("concern %s raised: tier %s, mea %s, staff %s", concern.pk, concern.tier,
             concern.routed_to_mea_id, concern.escalated_to_staff)
    return concern


def concern_add_details(concern: Concern, reporter: User, details: str) -> Concern:
    """The reporter adds what they know after the report was saved (the guidance page offers it)."""
    details = (details or "").strip()
    if not details:
        raise ConcernError(_("Write the details first."))
    with transaction.atomic(), acting_for(reporter):
        locked = _locked(concern)
        if locked.reporter_id != reporter.pk:
            raise ConcernError(_("You cannot change this report."))
        if locked.status == Concern.Status.RESOLVED:
            raise ConcernError(_("This report is resolved. You can make a new report at any time."))
        if details in locked.details:
            return locked  # a double submit adds them once
        combined = f"{locked.details}\n\n{details}".strip() if locked.details else details
        if len(combined) > 5000:
            raise ConcernError(_("The details are too long: keep them under 5,000 characters in all."))
        locked.details = combined
        locked.save(update_fields=["details"])
        ConcernEvent.objects.create(concern=locked, actor=reporter, what=ConcernEvent.What.DETAILS)
    return locked


def may_handle(concern: Concern, user: User) -> bool:
    """Staff handle reports that reached staff; the routed MEA handles the others."""
    if concern.escalated_to_staff:
        return user.is_program_staff
    return concern.routed_to_mea_id is not None and concern.routed_to_mea_id == user.pk and concern.about != About.MEA


def _locked(concern: Concern) -> Concern:
    # Lock the report: two handlers acting at once must not both move the status
    # (one would overwrite the other's step and both events would be written).
    return Concern.objects.select_for_update().get(pk=concern.pk)


def _move(concern: Concern, actor: User | None, status: str, what: str, *, note: str = "", **fields) -> Concern:
    with transaction.atomic(), acting_for(actor):
        locked = _locked(concern)
        if actor is not None and not may_handle(locked, actor):
            raise ConcernError(_("You cannot change this report."))
        if not locked.can_move_to(status):
            raise ConcernError(_("This report is %(status)s; that step is not possible now.")
                               % {"status": locked.get_status_display().lower()})
        locked.move(status, **fields)
        ConcernEvent.objects.create(concern=locked, actor=actor, what=what, note=note)
        concern_changed.send(sender=Concern, match_id=locked.match_id)
        if status != Concern.Status.OPEN:
            # Someone has it now: notifications still waiting to go out are expired, not sent late.
            notifications_settle(locked)
    return locked


def concern_acknowledge(concern: Concern, actor: User) -> Concern:
    return _move(concern, actor, Concern.Status.ACKNOWLEDGED, ConcernEvent.What.ACKNOWLEDGED,
                 acknowledged_at=timezone.now())


def concern_start(concern: Concern, actor: User) -> Concern:
    return _move(concern, actor, Concern.Status.IN_PROGRESS, ConcernEvent.What.STARTED)


def concern_resolve(concern: Concern, actor: User, outcome: str) -> Concern:
    outcome = (outcome or "").strip()
    if not outcome:
        raise ConcernError(_("Say what the outcome was before resolving."))
    return _move(concern, actor, Concern.Status.RESOLVED, ConcernEvent.What.RESOLVED, note=outcome,
                 outcome=outcome, resolved_at=timezone.now())


def concern_note(concern: Concern, actor: User, note: str) -> ConcernEvent:
    note = (note or "").strip()
    if not note:
        raise ConcernError(_("Write the note first."))
    # The MEA told of a monitor report keeps notes on it even though staff handle it.
    is_routed_mea = concern.routed_to_mea_id == actor.pk and concern.about != About.MEA
    if not (may_handle(concern, actor) or is_routed_mea):
        raise ConcernError(_("You cannot change this report."))
    with transaction.atomic():
        note_again = ConcernEvent.objects.filter(concern=concern, actor=actor, what=ConcernEvent.What.NOTE, note=note)
        earlier = resubmitted(f"concern-note:{actor.pk}", note_again)  # a double submit is one note
        return earlier or ConcernEvent.objects.create(concern=concern, actor=actor, what=ConcernEvent.What.NOTE,
                                                      note=note)


def concern_escalate(concern: Concern, actor: User | None, reason: str) -> Concern:
    """Hand a tier-1 report to staff (by its MEA with a reason, or by the deadline check with actor=None)."""
    reason = (reason or "").strip()
    if not reason:
        raise ConcernError(_("Say why it needs staff."))
    now = timezone.now()
    with transaction.atomic(), acting_for(actor):
        locked = _locked(concern)
        if actor is not None and not may_handle(locked, actor):
            raise ConcernError(_("You cannot change this report."))
        if locked.escalated_to_staff:
            raise ConcernError(_("Staff already have this report."))
        if locked.status == Concern.Status.RESOLVED:
            raise ConcernError(_("This report is resolved."))
        # Staff must acknowledge it afresh, within the staff deadline in force when it was made.
        locked.move(Concern.Status.OPEN, escalated_to_staff=True, escalated_at=now,
                    ack_deadline=now + _hours(locked, _staff_deadline_tier(locked)))
        ConcernEvent.objects.create(concern=locked, actor=actor, what=ConcernEvent.What.ESCALATED, note=reason)
        plan_notifications(locked, "escalated", mea=False, staff=True)
    log.info("concern %s escalated to staff by %s", locked.pk, actor.pk if actor else "deadline")
    return locked


def concern_assign(concern: Concern, actor: User, assignee: User) -> Concern:
    if not actor.is_program_staff or not assignee.is_program_staff:
        raise ConcernError(_("Reports are assigned by and to program staff."))
    with transaction.atomic(), acting_for(actor):
        locked = _locked(concern)
        if not locked.escalated_to_staff:
            raise ConcernError(_("You cannot change this report."))
        locked.assigned_to = assignee
        locked.save(update_fields=["assigned_to"])
        ConcernEvent.objects.create(concern=locked, actor=actor, what=ConcernEvent.What.ASSIGNED,
                                    note=assignee.display_name)
        plan_notifications(locked, f"assigned-{assignee.pk}", mea=False, staff=False, users=[assignee])
    return locked


def repeat_interval(concern: Concern, rounds: int) -> timedelta:
    """How long after a round of "every staff member told" the next one comes: the staff
    deadline, doubled each round, capped (ESCALATION_REPEAT_MAX_HOURS), like an on-call
    escalation policy that repeats until someone acknowledges."""
    cap = timedelta(hours=settings.ESCALATION_REPEAT_MAX_HOURS)
    first = _hours(concern, _staff_deadline_tier(concern))
    return min(first * 2 ** max(rounds - 1, 0), max(cap, first))


def concern_follow_up(concern_id: int) -> str:
    """An unacknowledged report past its deadline: to staff, sent again, then to every staff
    member, and again to every staff member at a capped interval for as long as nobody
    acknowledges it. It never stops on its own.

    Safe to run twice: the lock and the moved deadline make a second run find nothing due.
    """
    now = timezone.now()
    max_resends = settings.ESCALATION_MAX_RESENDS
    with transaction.atomic():
        # Lock: the beat and a handler acknowledging at the same moment must not both act.
        concern = Concern.objects.select_for_update().get(pk=concern_id)
        if concern.status != Concern.Status.OPEN or concern.ack_deadline > now:
            return "not due"
        if not concern.escalated_to_staff:
            concern_escalate(concern, None, "Not acknowledged by the MEA before the deadline.")
            return "escalated"
        if concern.resends < max_resends:
            concern.resends += 1
            concern.ack_deadline = now + _hours(concern, _staff_deadline_tier(concern))
            concern.save(update_fields=["resends", "ack_deadline"])
            ConcernEvent.objects.create(concern=concern, what=ConcernEvent.What.RESENT, note=f"#{concern.resends}")
            plan_notifications(concern, f"resend-{concern.resends}", mea=False, staff=True)
            return "resent"
        concern.all_staff_rounds += 1
        concern.all_staff_notified_at = concern.all_staff_notified_at or now
        concern.ack_deadline = now + repeat_interval(concern, concern.all_staff_rounds)
        concern.save(update_fields=["all_staff_rounds", "all_staff_notified_at", "ack_deadline"])
        ConcernEvent.objects.create(concern=concern, what=ConcernEvent.What.ALL_STAFF,
                                    note=f"#{concern.all_staff_rounds}")
        step = "all-staff" if concern.all_staff_rounds == 1 else f"all-staff-{concern.all_staff_rounds}"
        plan_notifications(concern, step, mea=False, staff=False, all_staff=True)
        return "all staff"


def concern_record_access(concern: Concern, user: User, path: str = "") -> AccessEvent | None:
    """Record that a handler (staff, or the MEA it was routed to) opened a report.

    One row in the program's read log (audit.AccessEvent), which staff
    read in the admin and nobody can edit. The reporter reading their own
    report is not recorded.
    """
    if user.pk == concern.reporter_id:
        return None
    return access_record(user, concern, path)


def debrief_respond(debrief: Debrief, person: User, *, accept: bool) -> Debrief:
    status = Debrief.Status.ACCEPTED if accept else Debrief.Status.DECLINED
    with transaction.atomic():
        locked = Debrief.objects.select_for_update().get(pk=debrief.pk)  # one answer at a time
        if locked.person_id != person.pk:
            raise ConcernError(_("This debrief is not yours."))
        if not locked.can_move_to(status):
            raise ConcernError(_("This debrief can no longer be changed."))
        locked.move(status)
        ConcernEvent.objects.create(concern_id=locked.concern_id, actor=person, what=ConcernEvent.What.DEBRIEF,
                                    note=status)
    return locked


def debrief_done(debrief: Debrief, actor: User) -> Debrief:
    with transaction.atomic():
        locked = Debrief.objects.select_for_update().select_related("concern").get(pk=debrief.pk)
        if not (locked.owner_id == actor.pk or may_handle(locked.concern, actor)):
            raise ConcernError(_("You cannot change this debrief."))
        if not locked.can_move_to(Debrief.Status.DONE):
            raise ConcernError(_("The reporter has not accepted this debrief."))
        locked.move(Debrief.Status.DONE, done_at=timezone.now())
        ConcernEvent.objects.create(concern_id=locked.concern_id, actor=actor, what=ConcernEvent.What.DEBRIEF, note="done")
    return locked

"""The member's MEA-support data in their export; erasure keeps each match's check-in history.

What a member gets:
- their own words in full: the self check-ins they answered (the MEA asked,
  they wrote), their MEA profile (caseload, how to reach them);
- of check-ins the MEA recorded about their matches, and of those they
  recorded as an MEA: when, with whom, on time or not. Not what was said: a
  check-in is the MEA's note of a confidential conversation (DESIGN.md:
  confidential to the MEA), mixes both sides' words when held with both,
  and its private note is the MEA's; an export is a copy that outlives the
  role, so other people's disclosures do not travel in it;
- the milestones of their matches (shared with everyone on the match), the
  MEA assignments of their matches and those they made, their reminders.

Erasure: the active matches they support as the MEA lose their MEA, and the
group's coordinators are told to choose another (until then tier-1 reports go
to staff). Self check-ins still waiting for their answer, or asked by them as
the MEA, are withdrawn. The MEA profile goes (contact details). The free text of their
self check-in answers is blanked (the rating, meeting counts and situations
stay: they are the match's support history). Check-ins and milestones stay
whole except that the member's name, email and contact details in their
text become "[former member]". Pending reminders to them are skipped.
"""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from matches.models import Match
from notifications.services import notice_create
from profiles.models import User

from .models import CheckIn, CheckInRequest, MatchSupport, MEAProfile, Milestone, Reminder, Survey

COVERS = (
    "support.MEAProfile.user", "support.MatchSupport.mea_assigned_by", "support.CheckIn.mea",
    "support.CheckInRequest.asked_by", "support.CheckInRequest.respondent", "support.Milestone.recorded_by",
    "support.Reminder.recipient", "support.Survey.respondent",
)
EXEMPT: dict[str, str] = {}

# Free text erasure scrubs of the member's identifiers in every row, and the rest with why
# (privacy/registry.py).
SCRUBBED_TEXT = ("support.CheckIn.to_celebrate", "support.CheckIn.worrying", "support.CheckIn.private_note",
                 "support.CheckInRequest.to_celebrate", "support.CheckInRequest.worrying", "support.Milestone.what",
                 "support.Survey.comment")
TEXT_KEPT = {"support.MEAProfile.how_to_reach": "An MEA's own contact line; the member's MEA profile is deleted.",
             "support.Survey.role": "Which role the answer was given as: mentor or mentee."}

def _checkin_facts(c: CheckIn) -> dict:
    return {"match_id": c.match_id, "with": c.with_whom, "held_on": c.held_on, "due_on": c.due_on, "on_time": c.on_time}


def _involving(user) -> Q:
    return Q(match__mentor=user) | Q(match__mentee=user) | Q(match__mea=user)


def export(user) -> dict:
    mea = MEAProfile.objects.filter(user=user).first()
    return {
        "mea_profile": {"caseload_limit": mea.caseload_limit, "how_to_reach": mea.how_to_reach} if mea else None,
        "self_checkins": [
            {"match_id": r.match_id, "status": r.status, "asked_at": r.created_at, "answered_at": r.answered_at,
             "rating": r.rating, "meetings_held": r.meetings_held, "meetings_cancelled": r.meetings_cancelled,
             "to_celebrate": r.to_celebrate, "worrying": r.worrying, "situations": r.situations}
            for r in CheckInRequest.objects.filter(respondent=user).order_by("created_at", "pk")
        ],
        "self_checkins_asked_as_mea": [
            {"match_id": r.match_id, "status": r.status, "asked_at": r.created_at}
            for r in CheckInRequest.objects.filter(asked_by=user).order_by("created_at", "pk")
        ],
        "checkins_about_my_matches": [
            _checkin_facts(c)
            for c in CheckIn.objects.filter(Q(match__mentor=user) | Q(match__mentee=user)).order_by("held_on", "pk")
        ],
        "checkins_recorded_as_mea": [_checkin_facts(c) for c in CheckIn.objects.filter(mea=user).order_by("held_on", "pk")],
        "mea_assignments": [
            {"match_id": s.match_id, "assigned_at": s.mea_assigned_at, "assigned_by_me": s.mea_assigned_by_id == user.pk}
            for s in MatchSupport.objects.filter(_involving(user) | Q(mea_assigned_by=user)).order_by("match_id")
        ],
        "milestones": [
            {"match_id": m.match_id, "what": m.what, "happened_on": m.happened_on, "recorded_by_me": m.recorded_by_id == user.pk}
            for m in Milestone.objects.filter(_involving(user) | Q(recorded_by=user)).order_by("happened_on", "pk")
        ],
        # Their own answers in full (pulse, closing, program surveys): their words, to their MEA or the program.
        "surveys": list(Survey.objects.filter(respondent=user).order_by("answered_at", "pk").values(
            "kind", "match_id", "role", "occurrence", "score", "comment", "worried", "answered_at")),
        "reminders": list(
            Reminder.objects.filter(recipient=user).order_by("created_at", "pk").values(
                "kind", "match_id", "occurrence", "status", "sent_at"
            )
        ),
    }


def _free_the_matches_they_support(user) -> None:
    for match in Match.objects.select_for_update().filter(mea=user, status=Match.Status.ACTIVE):
        match.mea = None
        match.save(update_fields=["mea"])
        for person in User.objects.coordinators_of(match.group_id):
            notice_create(person, _("A match needs a new MEA"), reverse("support:match_detail", kwargs={"pk": match.pk}),
                          dedupe_key=f"match:{match.pk}:mea-left:{user.pk}:{person.pk}")


def erase(user) -> None:
    _free_the_matches_they_support(user)
    # Their survey sentences go; the scores stay (the match's and the program's counts).
    Survey.objects.filter(respondent=user).exclude(comment="").update(comment="")
    CheckInRequest.objects.filter(Q(respondent=user) | Q(asked_by=user), status=CheckInRequest.Status.PENDING).update(
        status=CheckInRequest.Status.WITHDRAWN)
    MEAProfile.objects.filter(user=user).delete()
    CheckInRequest.objects.filter(respondent=user).exclude(to_celebrate="", worrying="").update(to_celebrate="", worrying="")
    Reminder.objects.filter(recipient=user, status=Reminder.Status.PENDING).update(status=Reminder.Status.SKIPPED)

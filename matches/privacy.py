"""The member's matching data in their export; erasure removes their own records and keeps shared ones.

What a member gets (what the portal already shows them, DESIGN.md "who sees
what"): their mentor application (with the reviewer's note to them), mentor
profile, mentee preferences, the proposals they are in, their matches and
those they support as an MEA, and the history of both. Of a match's ending,
the private reason and the rating only when they ended it themselves (the
reason is private to whoever ended it and coordinators); the gratitude note
whichever side wrote it, since it was written for both of them to see.

Erasure first takes them out of what is still going on: their open
proposals are withdrawn (no one can accept a match with an erased account),
their active matches end (the other person and the MEA get a portal notice,
the MEA to debrief). (The active matches they support as the MEA lose their
MEA in support's eraser, support/privacy.py, which links to where a new one is
chosen.) Then their application, mentor profile and preferences
go (theirs alone). Matches and proposals stay (they are the other person's history
too), pointing at the anonymised account: the ending reason and note they
wrote are blanked, as is the "why this pair" text of proposals they are in
(it describes them). Match events hold no text and stay as they are.
"""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notice_create
from privacy.services import erasure_actor

from .models import Match, MatchEvent, MenteePreference, MentorApplication, MentorProfile, Proposal

COVERS = (
    "matches.Match.mentor", "matches.Match.mentee", "matches.Match.mea", "matches.Match.ended_by",
    "matches.MentorApplication.applicant", "matches.MentorProfile.user",
    "matches.MenteePreference.mentee", "matches.Proposal.mentor", "matches.Proposal.mentee",
    "matches.Proposal.initiator", "matches.MatchEvent.actor",
)

EXEMPT = {
    "matches.MentorApplication.reviewer": "The coordinator who reviewed someone else's application: the applicant's record.",
    "matches.MenteeWaiting.mentee": "Derived from the person's role and matches (both exported); deleted with them.",
}


# Free text erasure scrubs of the member's identifiers in every row, and the rest with why
# (privacy/registry.py).
SCRUBBED_TEXT = ("matches.Match.end_reason", "matches.Match.gratitude_note", "matches.MentorApplication.experiences",
                 "matches.MentorApplication.review_note", "matches.MenteePreference.note", "matches.Proposal.reason")
TEXT_KEPT = {"matches.UsedLink.nonce": "A random token."}

def _name(user) -> str | None:
    return user.display_name if user is not None else None


def _match(match: Match, user) -> dict:
    role = "mentor" if match.mentor_id == user.pk else "mentee" if match.mentee_id == user.pk else "mea"
    data = {
        "id": match.pk, "my_role": role, "group": match.group.name, "status": match.status,
        "mentor": _name(match.mentor), "mentee": _name(match.mentee), "mea": _name(match.mea),
        "started_at": match.started_at, "ended_at": match.ended_at,
        "ended_by_me": match.ended_by_id == user.pk if match.ended_by_id else None,
    }
    if role != "mea":
        data["gratitude_note"] = match.gratitude_note
    if match.ended_by_id == user.pk:
        data["my_private_end_reason"] = match.end_reason
        data["my_suitability_rating"] = match.suitability_rating
    return data


def export(user) -> dict:
    mine = Q(mentor=user) | Q(mentee=user)
    matches = Match.objects.filter(mine | Q(mea=user)).select_related(
        "group", "mentor__profile", "mentee__profile", "mea__profile"
    ).order_by("started_at", "pk")
    proposals = Proposal.objects.filter(mine).select_related("group", "mentor__profile", "mentee__profile")
    preference = MenteePreference.objects.filter(mentee=user).prefetch_related("topics").first()
    mentor_profile = MentorProfile.objects.filter(user=user).first()
    events = MatchEvent.objects.filter(
        Q(match__in=matches.values("pk")) | Q(proposal__in=proposals.values("pk")) | Q(actor=user)
    ).order_by("created_at", "pk")
    return {
        "mentor_applications": [
            {"group": a.group.name, "months_in_group": a.months_in_group, "qualities": a.qualities,
             "topics": [t.name for t in a.topics.all()], "experiences": a.experiences, "capacity": a.capacity,
             "status": a.status, "note_to_me": a.review_note, "created_at": a.created_at, "reviewed_at": a.reviewed_at}
            for a in MentorApplication.objects.filter(applicant=user).select_related("group").prefetch_related("topics")
        ],
        "mentor_profile": (
            {"capacity": mentor_profile.capacity, "status": mentor_profile.status, "approved_at": mentor_profile.approved_at}
            if mentor_profile else None
        ),
        "mentee_preferences": (
            {"preferred_gender": preference.preferred_gender, "gender_required": preference.gender_required,
             "topics": [t.name for t in preference.topics.all()], "note": preference.note,
             "updated_at": preference.updated_at}
            if preference else None
        ),
        "proposals": [
            {"id": p.pk, "group": p.group.name, "mentor": _name(p.mentor), "mentee": _name(p.mentee),
             "initiated_by": p.initiated_by, "initiated_by_me": p.initiator_id == user.pk, "reason": p.reason,
             "status": p.status, "created_at": p.created_at, "decided_at": p.decided_at,
             "mentor_accepted_at": p.mentor_accepted_at, "mentee_accepted_at": p.mentee_accepted_at,
             "match_id": p.match_id}
            for p in proposals
        ],
        "matches": [_match(m, user) for m in matches],
        "history": [
            {"match_id": e.match_id, "proposal_id": e.proposal_id, "what": e.kind, "by_me": e.actor_id == user.pk,
             "at": e.created_at}
            for e in events
        ],
    }


def _leave_what_is_going_on(user) -> None:
    """Withdraw their open proposals and end their active matches."""
    now, actor = timezone.now(), erasure_actor()
    mine = Q(mentor=user) | Q(mentee=user)
    for proposal in Proposal.objects.select_for_update().filter(mine, status=Proposal.Status.OPEN):
        proposal.status, proposal.decided_at = Proposal.Status.WITHDRAWN, now
        proposal.save(update_fields=["status", "decided_at"])
        MatchEvent.objects.create(proposal=proposal, actor=actor, kind=MatchEvent.Kind.WITHDRAWN)
    for match in Match.objects.select_for_update().filter(mine, status=Match.Status.ACTIVE):
        match.status, match.ended_at = Match.Status.ENDED, now
        match.save(update_fields=["status", "ended_at"])
        MatchEvent.objects.create(match=match, actor=actor, kind=MatchEvent.Kind.ENDED)
        url = reverse("matches:match_detail", kwargs={"pk": match.pk})
        other_id = match.mentee_id if match.mentor_id == user.pk else match.mentor_id
        notice_create(type(user).objects.get(pk=other_id), _("Your mentorship match has ended"), url,
               dedupe_key=f"match:{match.pk}:ended")
        if match.mea_id and match.mea_id != user.pk:
            notice_create(match.mea, _("A match ended: please debrief both sides"), url, dedupe_key=f"match:{match.pk}:debrief")


def erase(user) -> None:
    _leave_what_is_going_on(user)
    MentorApplication.objects.filter(applicant=user).delete()
    MentorProfile.objects.filter(user=user).delete()
    MenteePreference.objects.filter(mentee=user).delete()
    Match.objects.filter(ended_by=user).exclude(end_reason="", gratitude_note="").update(
        end_reason="", gratitude_note=""
    )
    Proposal.objects.filter(Q(mentor=user) | Q(mentee=user)).exclude(reason="").update(reason="")

"""The world of the authorization matrix (tests/test_authz_matrix.py) and the
scoping tests (tests/test_scoping.py): every principal of tests/authz_table.py,
and an object of each kind for them to be let in to, or kept out of."""

from datetime import timedelta

from escalations.models import GroupEmergencyNumbers
from escalations.services import concern_note, concern_raise
from matches.links import link_make
from matches.models import MatchEvent, MenteePreference, Proposal, UsedLink
from matches.tests.factories import MatchFactory, MentorApplicationFactory, ProposalFactory, approved_mentor
from meetings.services import calendar_feed_create, goal_add, meeting_propose
from notifications.services import notice_create
from privacy.services import erasure_request
from profiles.services import profile_for
from profiles.tests.factories import member
from support.services import checkin_request_create, match_mea_assign, mea_profile_for, milestone_record, support_for
from support.surveys import pulse_answer, pulse_link_make, pulse_occurrence
from support.tests.factories import CheckInFactory


def build_world(group, other_group):
    """The principals and the objects the table's rows point at.

    Group A holds THE match (mentor and mentee, supported by `mea`), its
    accepted proposal, a self check-in asked of its mentor, and three reports:
    a tier-1 one the MEA holds, a monitor one that reached staff and the MEA
    (with a debrief the MEA owns), and one about the MEA, made while
    `named_mea` supported the match (the match was then given to `mea`).
    Group B holds another match (other_mentor, other_mea). A mentee of group A
    is still waiting for a mentor, and has applied to mentor.
    """
    people = {
        "mentee": member("mentee", group),
        "mentor": approved_mentor(group),
        "other_mentor": approved_mentor(other_group),
        "mea": member("mea", group),
        "other_mea": member("mea", other_group),
        "named_mea": member("mea", group),
        "coordinator": member("coordinator", group),
        "other_coordinator": member("coordinator", other_group),
        "staff": member("staff", group),
    }
    waiting = member("mentee", group)
    other_mentee = member("mentee", other_group)
    mentor, mentee, mea, named_mea = (people[k] for k in ("mentor", "mentee", "mea", "named_mea"))

    # THE match, first supported by named_mea, who is reported on, then by mea.
    match = supported_match_of(mentor, mentee, group, named_mea)
    CheckInFactory(match=match, mea=named_mea, worrying="what the former MEA heard")
    about_mea = concern_raise(reporter=mentee, match=match, situations=["harassed"], about="mea")
    assert about_mea.routed_to_mea is None and about_mea.escalated_to_staff
    match_mea_assign(match=match, mea=mea, by=people["coordinator"])
    match.refresh_from_db()
    tier1 = concern_raise(reporter=mentor, match=match, situations=["relational"], about="mentee")
    assert tier1.routed_to_mea == mea and not tier1.escalated_to_staff
    monitor = concern_raise(reporter=mentor, match=match, situations=["victim_of_abuse"], about="mentee")
    assert monitor.routed_to_mea == mea and monitor.escalated_to_staff
    GroupEmergencyNumbers.objects.create(group=group, emergency="112")  # group A's own number
    proposal = ProposalFactory(
        mentor=mentor, mentee=mentee, group=group, initiated_by=Proposal.Kind.COORDINATOR,
        initiator=people["coordinator"], status=Proposal.Status.ACCEPTED, match=match,
        mentor_accepted_at=match.started_at, mentee_accepted_at=match.started_at,
        mentor_confirmed_not_close=True, mentee_confirmed_not_close=True,
    )
    MatchEvent.objects.create(proposal=proposal, kind=MatchEvent.Kind.PROPOSED, actor=people["coordinator"])
    MatchEvent.objects.create(match=match, kind=MatchEvent.Kind.STARTED, actor=mentee)
    checkin_request = checkin_request_create(match=match, by=mea, respondent=mentor)
    mea_profile_for(mea)
    other_match = supported_match_of(people["other_mentor"], other_mentee, other_group, people["other_mea"])
    application = MentorApplicationFactory(applicant=waiting, group=group)
    CheckInFactory(match=match, mea=mea)
    milestone_record(match=match, by=mentee, what="Six months")
    MenteePreference.objects.create(mentee=waiting, note="someone who listens")
    UsedLink.objects.create(nonce="used-once")
    concern_note(tier1, mea, "called the mentor")
    meeting = meeting_propose(match=match, by=mentor, starts_at=match.started_at + timedelta(days=30), how="phone")
    calendar_feed_create(mentee)
    goal = goal_add(match=match, by=mentee, text="Call my sister once a week")
    occurrence = pulse_occurrence(match)
    pulse_answer(match=match, by=mentee, occurrence=occurrence, score=3, comment="what the mentee told the MEA")

    objects = {
        "mentee_profile": profile_for(mentee).pk,
        "mentee_notification": notice_create(mentee, "Something needs your attention", "/profile/").pk,
        "mentee_erasure": erasure_request(mentee).pk,
        "match": match.pk,
        "meeting": meeting.pk,
        "goal": goal.pk,
        "pulse_link_mentor": pulse_link_make(match_id=match.pk, user_id=mentor.pk, occurrence=occurrence),
        "other_match": other_match.pk,
        "proposal": proposal.pk,
        "application": application.pk,
        "mentor_id": mentor.pk,
        "other_mentor_id": people["other_mentor"].pk,
        "mentee_id": mentee.pk,
        "waiting_mentee": waiting.pk,
        "checkin_request": checkin_request.pk,
        "concern_tier1": tier1.pk,
        "concern_monitor": monitor.pk,
        "concern_about_mea": about_mea.pk,
        "debrief_about_mea": about_mea.debrief.pk,
        "debrief_monitor": monitor.debrief.pk,
        "action_unknown": "delete",
        "link_mentee_accept": link_make(proposal_id=proposal.pk, user_id=mentee.pk, action="accept"),
    }
    assert monitor.debrief.owner_id == mea.pk and about_mea.debrief.owner_id is None
    people["waiting_mentee"], people["other_mentee"] = waiting, other_mentee
    return people, objects


def supported_match_of(mentor, mentee, group, mea):
    match = MatchFactory(mentor=mentor, mentee=mentee, group=group, mea=mea)
    support_for(match)
    return match

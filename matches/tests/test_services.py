from datetime import timedelta

import pytest
from django.utils import timezone

from matches import services
from matches.models import Match, MatchEvent, MentorApplication, MentorProfile, Proposal
from matches.services import MatchingError
from matches.tests.factories import MatchFactory, MentorApplicationFactory, approved_mentor
from notifications.models import Delivery, Notice
from profiles.models import Role
from profiles.tests.factories import TopicFactory, member

pytestmark = pytest.mark.django_db

K = Proposal.Kind


def _offer(mentor, mentee, **kw):
    return services.proposal_create(mentor=mentor, mentee=mentee, by=mentor, kind=K.MENTOR,
                                    confirm_not_close=True, **kw)


# --- Applications ---------------------------------------------------------------


def test_a_member_applies_with_some_qualities_and_a_coordinator_approves(plain_member, group, coordinator):
    topic = TopicFactory()
    app = services.application_submit(applicant=plain_member, group=group, months_in_group=13,
                                      qualities=["presence", "safety"], topics=[topic], experiences="Divorce")
    assert app.status == MentorApplication.Status.PENDING and app.capacity == 2
    assert Notice.objects.filter(user=coordinator).exists()
    services.application_approve(application_id=app.pk, by=coordinator, note="Welcome aboard")
    app.refresh_from_db()
    assert app.status == "approved" and app.review_note == "Welcome aboard" and app.reviewer == coordinator
    plain_member.__dict__.pop("active_grants", None)
    assert plain_member.has_role(Role.MENTOR)
    assert MentorProfile.objects.get(user=plain_member).status == "available"
    assert Delivery.objects.filter(to=plain_member.email).exists()


def test_an_application_needs_at_least_one_quality_and_changes_nothing_without(plain_member, group):
    with pytest.raises(MatchingError, match="at least one"):
        services.application_submit(applicant=plain_member, group=group, months_in_group=1, qualities=[])
    with pytest.raises(MatchingError):
        services.application_submit(applicant=plain_member, group=group, months_in_group=1, qualities=["bogus"])
    assert not MentorApplication.objects.exists()


def test_a_second_pending_application_is_refused(plain_member, group):
    services.application_submit(applicant=plain_member, group=group, months_in_group=1, qualities=["health"])
    with pytest.raises(MatchingError, match="already have an application"):
        services.application_submit(applicant=plain_member, group=group, months_in_group=1, qualities=["health"])


def test_a_coordinator_declines_with_a_note_and_cannot_review_twice(plain_member, group, coordinator):
    app = MentorApplicationFactory(applicant=plain_member, group=group)
    services.application_decline(application_id=app.pk, by=coordinator, note="Give it a few more months")
    with pytest.raises(MatchingError, match="already reviewed"):
        services.application_approve(application_id=app.pk, by=coordinator)
    assert not MentorProfile.objects.filter(user=plain_member).exists()


def test_a_coordinator_of_another_group_cannot_review(plain_member, group, other_group):
    app = MentorApplicationFactory(applicant=plain_member, group=group)
    outsider = member(Role.COORDINATOR, other_group)
    with pytest.raises(MatchingError, match="No such application"):
        services.application_approve(application_id=app.pk, by=outsider)
    with pytest.raises(MatchingError, match="No such application"):
        services.application_approve(application_id=999999, by=outsider)


# --- Mentor availability ----------------------------------------------------------


def test_a_paused_mentor_gets_no_new_proposal_and_resumes_in_one_step(available_mentor, mentee):
    services.mentor_pause(mentor=available_mentor, by=available_mentor)
    with pytest.raises(MatchingError, match="not taking new mentees"):
        _offer(available_mentor, mentee)
    services.mentor_resume(mentor=available_mentor, by=available_mentor)
    assert _offer(available_mentor, mentee).is_open


def test_pausing_withdraws_open_proposals_but_current_matches_go_on(
    group, available_mentor, mentee, django_capture_on_commit_callbacks
):
    other = member(Role.MENTEE, group)
    match = MatchFactory(mentor=available_mentor, mentee=other, group=group)
    proposal = _offer(available_mentor, mentee)
    with django_capture_on_commit_callbacks(execute=True):
        services.mentor_pause(mentor=available_mentor, by=available_mentor)
    proposal.refresh_from_db()
    match.refresh_from_db()
    assert proposal.status == Proposal.Status.WITHDRAWN and match.is_active


def test_a_retired_mentor_gets_no_proposal(available_mentor, mentee):
    services.mentor_retire(mentor=available_mentor, by=available_mentor)
    with pytest.raises(MatchingError):
        services.proposal_create(mentor=available_mentor, mentee=mentee, by=available_mentor, kind=K.MENTOR,
                                 confirm_not_close=True)
    with pytest.raises(MatchingError, match="already retired"):
        services.mentor_retire(mentor=available_mentor, by=available_mentor)


# --- Proposals and consent --------------------------------------------------------


def test_match_stays_proposed_until_both_sides_consent(available_mentor, mentee, coordinator, mea, mailoutbox):
    proposal = services.proposal_create(mentor=available_mentor, mentee=mentee, by=coordinator, kind=K.COORDINATOR,
                                        reason="Both co-parenting")
    assert Delivery.objects.filter(to__in=[mentee.email, available_mentor.email]).count() == 2
    services.proposal_accept(proposal_id=proposal.pk, by=mentee, confirm_not_close=True)
    assert not Match.objects.exists()
    services.proposal_accept(proposal_id=proposal.pk, by=available_mentor, confirm_not_close=True)
    proposal.refresh_from_db()
    match = Match.objects.get()
    assert proposal.status == "accepted" and proposal.match == match and match.mea == mea
    kinds = list(MatchEvent.objects.values_list("kind", flat=True))
    assert kinds == ["proposed", "accepted", "accepted", "started", "mea_assigned"]


def test_accepting_requires_the_not_close_confirmation(available_mentor, mentee):
    proposal = _offer(available_mentor, mentee)
    with pytest.raises(MatchingError, match="close friends"):
        services.proposal_accept(proposal_id=proposal.pk, by=mentee, confirm_not_close=False)
    proposal.refresh_from_db()
    assert proposal.mentee_accepted_at is None


def test_a_mentor_offer_needs_only_the_mentee_to_accept(available_mentor, mentee):
    proposal = _offer(available_mentor, mentee, reason="I was there too")
    assert proposal.mentor_accepted_at and proposal.initiated_by == "mentor"
    services.proposal_accept(proposal_id=proposal.pk, by=mentee, confirm_not_close=True)
    assert Match.objects.active().filter(mentor=available_mentor, mentee=mentee).exists()


def test_a_second_accept_is_refused_with_a_clear_message(available_mentor, mentee):
    proposal = _offer(available_mentor, mentee)
    with pytest.raises(MatchingError, match="already accepted"):
        services.proposal_accept(proposal_id=proposal.pk, by=available_mentor, confirm_not_close=True)
    services.proposal_accept(proposal_id=proposal.pk, by=mentee, confirm_not_close=True)
    with pytest.raises(MatchingError, match="already accepted"):
        services.proposal_accept(proposal_id=proposal.pk, by=mentee, confirm_not_close=True)
    assert Match.objects.count() == 1


def test_accepting_an_expired_proposal_is_refused(available_mentor, mentee):
    proposal = _offer(available_mentor, mentee)
    Proposal.objects.filter(pk=proposal.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(MatchingError, match="expired"):
        services.proposal_accept(proposal_id=proposal.pk, by=mentee, confirm_not_close=True)
    assert not Match.objects.exists()


def test_unknown_ids_are_refused(mentee):
    for bad in (999999, "abc", None):
        with pytest.raises(MatchingError, match="No such"):
            services.proposal_accept(proposal_id=bad, by=mentee, confirm_not_close=True)
        with pytest.raises(MatchingError, match="No such"):
            services.match_end(match_id=bad, by=mentee, reason="x")


def test_only_the_two_people_can_answer(available_mentor, mentee, coordinator):
    proposal = _offer(available_mentor, mentee)
    with pytest.raises(MatchingError, match="No such proposal"):
        services.proposal_accept(proposal_id=proposal.pk, by=coordinator, confirm_not_close=True)


def test_a_mentor_over_capacity_is_refused(group, mentee):
    mentor = approved_mentor(group, capacity=1)
    p1 = services.proposal_create(mentor=mentor, mentee=mentee, by=mentee, kind=K.MENTEE, confirm_not_close=True)
    other = member(Role.MENTEE, group)
    p2 = services.proposal_create(mentor=mentor, mentee=other, by=other, kind=K.MENTEE, confirm_not_close=True)
    services.proposal_accept(proposal_id=p1.pk, by=mentor, confirm_not_close=True)
    with pytest.raises(MatchingError, match="no room"):
        services.proposal_accept(proposal_id=p2.pk, by=mentor, confirm_not_close=True)
    assert Match.objects.filter(mentor=mentor).count() == 1
    third = member(Role.MENTEE, group)
    with pytest.raises(MatchingError, match="no room"):
        services.proposal_create(mentor=mentor, mentee=third, by=third, kind=K.MENTEE, confirm_not_close=True)


def test_a_mentee_asks_at_most_three_mentors_at_once(group, mentee, settings):
    mentors = [approved_mentor(group) for _ in range(4)]
    for m in mentors[:3]:
        services.proposal_create(mentor=m, mentee=mentee, by=mentee, kind=K.MENTEE, confirm_not_close=True)
    with pytest.raises(MatchingError, match="at most 3"):
        services.proposal_create(mentor=mentors[3], mentee=mentee, by=mentee, kind=K.MENTEE, confirm_not_close=True)
    assert Proposal.objects.open().count() == 3


def test_nobody_is_proposed_with_themselves(group):
    both = approved_mentor(group)
    from profiles.services import role_grant

    role_grant(both, Role.MENTEE)
    with pytest.raises(MatchingError, match="themselves"):
        services.proposal_create(mentor=both, mentee=both, by=both, kind=K.MENTEE, confirm_not_close=True)


def test_a_mentee_with_a_mentor_gets_no_new_proposal(group, available_mentor, mentee):
    MatchFactory(mentor=approved_mentor(group), mentee=mentee, group=group)
    with pytest.raises(MatchingError, match="already has a mentor"):
        _offer(available_mentor, mentee)


def test_a_declined_mentee_hears_only_that_the_mentor_may_be_committed(available_mentor, mentee):
    proposal = services.proposal_create(mentor=available_mentor, mentee=mentee, by=mentee, kind=K.MENTEE,
                                        confirm_not_close=True, reason="private words")
    services.proposal_decline(proposal_id=proposal.pk, by=available_mentor)
    email = Delivery.objects.get(to=mentee.email, subject__icontains="about")
    assert "may already be committed" in email.body_text
    with pytest.raises(MatchingError, match="no longer open"):
        services.proposal_accept(proposal_id=proposal.pk, by=available_mentor, confirm_not_close=True)


def test_a_coordinator_of_another_group_cannot_propose(available_mentor, mentee, other_group):
    outsider = member(Role.COORDINATOR, other_group)
    with pytest.raises(MatchingError):
        services.proposal_create(mentor=available_mentor, mentee=mentee, by=outsider, kind=K.COORDINATOR)
    assert not Proposal.objects.exists()


def test_reminder_then_expiry_each_happen_once(available_mentor, mentee):
    proposal = _offer(available_mentor, mentee)
    assert services.proposal_remind(proposal.pk) is True
    assert services.proposal_remind(proposal.pk) is False
    assert services.proposal_expire(proposal.pk) is False  # not due yet
    Proposal.objects.filter(pk=proposal.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services.proposal_expire(proposal.pk) is True
    assert services.proposal_expire(proposal.pk) is False
    assert Delivery.objects.filter(subject__icontains="expired").count() == 2


# --- Ending --------------------------------------------------------------------------


def test_either_side_ends_with_a_private_reason_and_a_note_and_the_mea_debriefs(group, mea, mentee):
    mentor = approved_mentor(group)
    match = MatchFactory(mentor=mentor, mentee=mentee, group=group, mea=mea)
    services.match_end(match_id=match.pk, by=mentee, reason="moving away", gratitude_note="Thank you!", rating=4)
    match.refresh_from_db()
    assert match.status == "ended" and match.ended_by == mentee and match.suitability_rating == 4
    to_mentor = Delivery.objects.get(to=mentor.email)
    assert "moving away" not in to_mentor.body_text and "Thank you!" not in to_mentor.body_text
    assert Delivery.objects.filter(to=mea.email, subject__icontains="debrief").exists()
    assert MatchEvent.objects.filter(match=match, kind="ended", actor=mentee).exists()
    with pytest.raises(MatchingError, match="already ended"):
        services.match_end(match_id=match.pk, by=mentor, reason="x")


def test_ending_needs_a_reason_and_a_rating_in_range(group, mentee):
    match = MatchFactory(mentor=approved_mentor(group), mentee=mentee, group=group)
    with pytest.raises(MatchingError, match="reason"):
        services.match_end(match_id=match.pk, by=mentee, reason="  ")
    with pytest.raises(MatchingError, match="1 to 5"):
        services.match_end(match_id=match.pk, by=mentee, reason="ok", rating=9)
    match.refresh_from_db()
    assert match.is_active


def test_after_ending_the_mentee_can_look_for_a_new_mentor(group, mentee):
    old = approved_mentor(group)
    match = MatchFactory(mentor=old, mentee=mentee, group=group)
    services.match_end(match_id=match.pk, by=old, reason="done")
    new = approved_mentor(group)
    assert services.proposal_create(mentor=new, mentee=mentee, by=mentee, kind=K.MENTEE, confirm_not_close=True)

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from matches import services
from matches.links import link_make
from matches.models import Match, MenteePreference, MentorApplication, MentorProfile, Proposal
from matches.tests.factories import MatchFactory, MentorApplicationFactory, approved_mentor
from profiles.models import Role
from profiles.tests.factories import TopicFactory, member

pytestmark = pytest.mark.django_db

K = Proposal.Kind


def client_for(client, user):
    client.force_login(user)
    return client


def msgs(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


@pytest.fixture
def other_coordinator(other_group):
    return member(Role.COORDINATOR, other_group)


# --- Portals ---------------------------------------------------------------------------


def test_the_mentee_portal_shows_the_current_match_and_refuses_other_roles(client, group, mentee, mentor, mea,
                                                                           coordinator, plain_member):
    MentorProfile.objects.create(user=mentor)
    MatchFactory(mentor=mentor, mentee=mentee, group=group, mea=mea)
    url = reverse("matches:mentee_home")
    response = client_for(client, mentee).get(url)
    assert response.status_code == 200 and mentor.display_name in response.content.decode()
    for other in (mentor, coordinator, plain_member):
        assert client_for(client, other).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_a_waiting_mentee_sees_suggested_mentors_to_ask(client, group, mentee):
    mentor = approved_mentor(group)
    c = client_for(client, mentee)
    assert reverse("matches:suggestions", args=[mentee.pk]) in c.get(reverse("matches:mentee_home")).content.decode()
    body = c.get(reverse("matches:suggestions", args=[mentee.pk])).content.decode()
    assert reverse("matches:proposal_ask", args=[mentor.pk]) in body


def test_the_mentor_portal_lists_waiting_mentees_to_offer_to(client, group, available_mentor, mentee, coordinator):
    body = client_for(client, available_mentor).get(reverse("matches:mentor_home")).content.decode()
    assert reverse("matches:proposal_offer", args=[mentee.pk]) in body
    assert client_for(client, mentee).get(reverse("matches:mentor_home")).status_code == 404
    assert client_for(client, coordinator).get(reverse("matches:mentor_home")).status_code == 404


def test_the_pairing_board_shows_only_the_coordinators_groups(client, group, other_group, coordinator, mentee,
                                                              available_mentor, other_coordinator):
    stranger = member(Role.MENTEE, other_group)
    MentorApplicationFactory(applicant=member(None, group), group=group)
    body = client_for(client, coordinator).get(reverse("matches:coordinator_home")).content.decode()
    assert mentee.display_name in body and available_mentor.display_name in body
    assert stranger.display_name not in body
    assert "Approve" in body
    body = client_for(client, other_coordinator).get(reverse("matches:coordinator_home")).content.decode()
    assert mentee.display_name not in body
    for refused in (mentee, available_mentor):
        assert client_for(client, refused).get(reverse("matches:coordinator_home")).status_code == 404


# --- Applications -------------------------------------------------------------------------


def test_a_member_applies_and_sees_the_coordinators_note(client, group, plain_member, coordinator):
    topic = TopicFactory()
    c = client_for(client, plain_member)
    response = c.post(reverse("matches:mentor_apply"), {
        "group": group.pk, "months_in_group": 12, "qualities": ["presence", "health"], "topics": [topic.pk],
        "experiences": "Co-parenting", "capacity": 2}, follow=True)
    app = MentorApplication.objects.get(applicant=plain_member)
    assert "review" in msgs(response)
    c = client_for(client, coordinator)
    c.post(reverse("matches:application_review", args=[app.pk]), {"decision": "approve", "note": "Welcome, Noor"})
    body = client_for(client, plain_member).get(reverse("matches:mentor_apply")).content.decode()
    assert "Welcome, Noor" in body and "Approved" in body


def test_declining_an_application_asks_first_and_keeps_the_coordinators_note(client, group, plain_member, coordinator):
    app = MentorApplicationFactory(applicant=plain_member, group=group)
    c = client_for(client, coordinator)
    url = reverse("matches:application_review", args=[app.pk])
    asked = c.post(url, {"decision": "decline", "note": "Not yet, Noor"}).content.decode()
    assert "What happens next" in asked and 'name="note" value="Not yet, Noor"' in asked
    app.refresh_from_db()
    assert app.status == "pending"
    c.post(url, {"decision": "decline", "note": "Not yet, Noor", "confirm": "1"})
    app.refresh_from_db()
    assert app.status == "declined"


def test_an_application_without_qualities_is_shown_again_and_saves_nothing(client, group, plain_member):
    response = client_for(client, plain_member).post(reverse("matches:mentor_apply"), {
        "group": group.pk, "months_in_group": 3, "capacity": 2})
    assert response.status_code == 200 and "at least one quality" in response.content.decode()
    assert not MentorApplication.objects.exists()


def test_reviewing_an_application_outside_your_groups_is_404(client, group, plain_member, other_coordinator,
                                                           available_mentor):
    app = MentorApplicationFactory(applicant=plain_member, group=group)
    url = reverse("matches:application_review", args=[app.pk])
    assert client_for(client, other_coordinator).post(url, {"decision": "approve"}).status_code == 404
    assert client_for(client, available_mentor).post(url, {"decision": "approve"}).status_code == 404
    app.refresh_from_db()
    assert app.status == "pending"


def test_a_mentor_pauses_and_resumes_in_one_click(client, available_mentor, mentee):
    c = client_for(client, available_mentor)
    c.post(reverse("matches:mentor_status"), {"action": "pause"})
    assert MentorProfile.objects.get(user=available_mentor).status == "paused"
    c.post(reverse("matches:mentor_status"), {"action": "resume"})
    assert MentorProfile.objects.get(user=available_mentor).status == "available"
    response = c.post(reverse("matches:mentor_status"), {"action": "resume"}, follow=True)
    assert "already available" in msgs(response)
    assert client_for(client, mentee).post(reverse("matches:mentor_status"), {"action": "pause"}).status_code == 404


def test_a_mentee_saves_preferences(client, mentee):
    response = client_for(client, mentee).post(reverse("matches:mentee_preferences"), {
        "preferred_gender": "woman", "gender_required": "on", "note": ""})
    assert response.status_code == 302
    assert MenteePreference.objects.get(mentee=mentee).gender_required


# --- Three ways to start ------------------------------------------------------------------


def test_a_mentee_sees_the_mentors_profile_and_asks(client, mentee, available_mentor):
    url = reverse("matches:proposal_ask", args=[available_mentor.pk])
    c = client_for(client, mentee)
    assert available_mentor.display_name in c.get(url).content.decode()
    response = c.post(url, {"reason": "", "confirm_not_close": ""})
    assert response.status_code == 200 and not Proposal.objects.exists()
    c.post(url, {"reason": "We share a story", "confirm_not_close": "on"})
    proposal = Proposal.objects.get()
    assert proposal.initiated_by == K.MENTEE and proposal.mentee_accepted_at


def test_asking_a_mentor_outside_your_groups_or_not_a_mentor_is_404(client, mentee, other_group, group):
    stranger = approved_mentor(other_group)
    c = client_for(client, mentee)
    assert c.get(reverse("matches:proposal_ask", args=[stranger.pk])).status_code == 404
    assert c.get(reverse("matches:proposal_ask", args=[member(None, group).pk])).status_code == 404
    assert c.get(reverse("matches:proposal_ask", args=[999999])).status_code == 404


def test_a_mentor_offers_to_a_waiting_mentee_in_their_group_only(client, available_mentor, mentee, other_group):
    c = client_for(client, available_mentor)
    url = reverse("matches:proposal_offer", args=[mentee.pk])
    assert mentee.display_name in c.get(url).content.decode()
    c.post(url, {"confirm_not_close": "on"})
    assert Proposal.objects.get().initiated_by == K.MENTOR
    stranger = member(Role.MENTEE, other_group)
    assert c.get(reverse("matches:proposal_offer", args=[stranger.pk])).status_code == 404
    assert client_for(client, mentee).get(url).status_code == 404


def test_a_coordinator_proposes_a_pair_from_the_suggestions(client, coordinator, mentee, available_mentor,
                                                            other_coordinator):
    url = reverse("matches:suggestions", args=[mentee.pk])
    body = client_for(client, coordinator).get(url).content.decode()
    assert available_mentor.display_name in body and "Room for 2 more" in body
    data = {"mentee": mentee.pk, "mentor": available_mentor.pk, "reason": "Both in Harbor"}
    assert client_for(client, other_coordinator).post(reverse("matches:proposal_propose"), data).status_code == 404
    assert client_for(client, other_coordinator).get(url).status_code == 404
    client_for(client, coordinator).post(reverse("matches:proposal_propose"), data)
    proposal = Proposal.objects.get()
    assert proposal.initiated_by == K.COORDINATOR and proposal.initiator == coordinator


def test_suggestions_are_for_the_mentee_themself_or_their_coordinator(client, mentee, group, available_mentor, mea):
    other_mentee = member(Role.MENTEE, group)
    c = client_for(client, mentee)
    assert c.get(reverse("matches:suggestions", args=[mentee.pk])).status_code == 200
    assert c.get(reverse("matches:suggestions", args=[other_mentee.pk])).status_code == 404
    for refused in (available_mentor, mea):
        assert client_for(client, refused).get(reverse("matches:suggestions", args=[mentee.pk])).status_code == 404


# --- Answering ------------------------------------------------------------------------------


@pytest.fixture
def proposal(coordinator, mentee, available_mentor):
    return services.proposal_create(mentor=available_mentor, mentee=mentee, by=coordinator, kind=K.COORDINATOR)


def test_both_accept_from_the_proposal_page_and_the_match_starts(client, proposal, mentee, available_mentor):
    c = client_for(client, mentee)
    body = c.get(reverse("matches:proposal_detail", args=[proposal.pk])).content.decode()
    assert available_mentor.display_name in body and "not close friends" in body
    response = c.post(reverse("matches:proposal_accept", args=[proposal.pk]), {})
    assert response.status_code == 200
    assert "close friends" in str(response.context["accept_form"].errors["confirm_not_close"])
    proposal.refresh_from_db()
    assert proposal.mentee_accepted_at is None
    c.post(reverse("matches:proposal_accept", args=[proposal.pk]), {"confirm_not_close": "on"})
    response = client_for(client, available_mentor).post(
        reverse("matches:proposal_accept", args=[proposal.pk]), {"confirm_not_close": "on"})
    match = Match.objects.get()
    assert response.url == reverse("matches:match_detail", args=[match.pk])
    response = c.post(reverse("matches:proposal_accept", args=[proposal.pk]), {"confirm_not_close": "on"}, follow=True)
    assert "already accepted" in msgs(response)


def test_accepting_an_expired_proposal_shows_a_message_and_changes_nothing(client, proposal, mentee):
    Proposal.objects.filter(pk=proposal.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    response = client_for(client, mentee).post(
        reverse("matches:proposal_accept", args=[proposal.pk]), {"confirm_not_close": "on"}, follow=True)
    assert "expired" in msgs(response)
    proposal.refresh_from_db()
    assert proposal.mentee_accepted_at is None


def test_a_declined_mentee_sees_only_that_the_mentor_may_be_committed(client, proposal, mentee, available_mentor):
    client_for(client, available_mentor).post(reverse("matches:proposal_decline", args=[proposal.pk]))
    body = client_for(client, mentee).get(reverse("matches:proposal_detail", args=[proposal.pk])).content.decode()
    assert "may already be committed" in body


def test_a_proposal_is_404_outside_its_people_and_group(client, proposal, other_coordinator, coordinator, group, mea):
    url = reverse("matches:proposal_detail", args=[proposal.pk])
    assert client_for(client, coordinator).get(url).status_code == 200
    for refused in (other_coordinator, member(Role.MENTEE, group), mea):
        assert client_for(client, refused).get(url).status_code == 404
        assert client_for(client, refused).post(reverse("matches:proposal_accept", args=[proposal.pk]),
                                                {"confirm_not_close": "on"}).status_code == 404
    assert client_for(client, coordinator).get(reverse("matches:proposal_detail", args=[999999])).status_code == 404


# --- Signed links ----------------------------------------------------------------------------


def test_an_email_link_accepts_once(client, proposal, mentee, mailoutbox, django_capture_on_commit_callbacks):
    token = link_make(proposal_id=proposal.pk, user_id=mentee.pk, action="accept")
    url = reverse("matches:proposal_link", args=[token])
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 400  # no confirmation: nothing changes, the link still works
    assert client.post(url, {"confirm_not_close": "on"}).status_code == 200
    proposal.refresh_from_db()
    assert proposal.mentee_accepted_at
    response = client.post(url, {"confirm_not_close": "on"})
    assert response.status_code == 410 and "already used" in response.content.decode()


def test_the_link_in_the_proposal_email_works(client, proposal, mentee):
    from notifications.models import Delivery

    email = Delivery.objects.get(to=mentee.email)
    decline = re.search(r"http://testserver(/matches/link/[^\s]+/)", email.body_text.split("No, thank you")[1])[1]
    assert client.post(decline).status_code == 200
    proposal.refresh_from_db()
    assert proposal.status == "declined"


def test_forged_expired_or_someone_elses_links_are_refused(client, proposal, mentee, available_mentor, settings):
    assert client.get(reverse("matches:proposal_link", args=["forged:token"])).status_code == 410
    token = link_make(proposal_id=proposal.pk, user_id=mentee.pk, action="decline")
    client_for(client, available_mentor)
    assert client.get(reverse("matches:proposal_link", args=[token])).status_code == 404
    client.logout()
    settings.PROPOSAL_EXPIRE_AFTER = -1
    response = client.post(reverse("matches:proposal_link", args=[token]))
    assert response.status_code == 410 and "expired" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.is_open


# --- The match ---------------------------------------------------------------------------------


def test_ending_a_match_keeps_the_reason_private_and_delivers_the_note(client, group, mentee, available_mentor, mea,
                                                                       coordinator):
    match = MatchFactory(mentor=available_mentor, mentee=mentee, group=group, mea=mea)
    url = reverse("matches:match_detail", args=[match.pk])
    c = client_for(client, mentee)
    assert "End this match" in c.get(url).content.decode()
    response = c.post(reverse("matches:match_end", args=[match.pk]), {"reason": "", "gratitude_note": "x"})
    assert response.status_code == 200 and "reason" in response.context["end_form"].errors
    assert 'aria-invalid="true"' in response.content.decode() and "x</textarea>" in response.content.decode()
    c.post(reverse("matches:match_end", args=[match.pk]), {"reason": "moving cities", "gratitude_note": "Thank you!",
                                                          "rating": "5"})
    body = client_for(client, available_mentor).get(url).content.decode()
    assert "Thank you!" in body and "moving cities" not in body
    body = client_for(client, coordinator).get(url).content.decode()
    assert "moving cities" in body and "Thank you!" not in body
    assert "Match ended" in client_for(client, mea).get(url).content.decode()
    response = client_for(client, available_mentor).post(reverse("matches:match_end", args=[match.pk]),
                                                         {"reason": "again"}, follow=True)
    assert "already ended" in msgs(response)


def test_a_match_page_is_404_outside_its_people(client, group, mentee, available_mentor, other_coordinator):
    match = MatchFactory(mentor=available_mentor, mentee=mentee, group=group)
    for refused in (other_coordinator, member(Role.MENTEE, group), member(Role.MEA, group)):
        assert client_for(client, refused).get(reverse("matches:match_detail", args=[match.pk])).status_code == 404
        assert client_for(client, refused).post(reverse("matches:match_end", args=[match.pk]),
                                                {"reason": "x"}).status_code == 404
    match.refresh_from_db()
    assert match.is_active


def test_a_coordinator_reviews_cohort_drafts_before_anything_is_sent(client, group, coordinator, mentor):
    mentors = [approved_mentor(group, capacity=1) for _ in range(2)]
    mentees = [member(Role.MENTEE, group) for _ in range(3)]
    c = client_for(client, coordinator)
    response = c.get(reverse("matches:cohort"))
    drafts = response.context["drafts"]
    assert len(drafts) == 2 and not Proposal.objects.exists()
    assert {d.mentor.user_id for d in drafts} == {m.pk for m in mentors}
    assert {d.mentee.pk for d in drafts} <= {m.pk for m in mentees}
    c.post(reverse("matches:cohort"), {"pairs": [f"{drafts[0].mentee.pk}:{drafts[0].mentor.user_id}", "junk"]})
    assert Proposal.objects.count() == 1
    assert client_for(client, mentor).get(reverse("matches:cohort")).status_code == 404




def test_a_mentee_who_declines_is_not_told_the_mentor_may_be_committed(client, proposal, mentee):
    c = client_for(client, mentee)
    c.post(reverse("matches:proposal_decline", args=[proposal.pk]))
    body = c.get(reverse("matches:proposal_detail", args=[proposal.pk])).content.decode()
    assert "may already be committed" not in body and "Declined" in body


def test_a_mentee_whose_mentor_paused_hears_it_gently(client, group, mentee, django_capture_on_commit_callbacks):
    mentor = approved_mentor(group)
    proposal = services.proposal_create(mentor=mentor, mentee=mentee, by=mentee, kind=K.MENTEE, confirm_not_close=True)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(client, mentor).post(reverse("matches:mentor_status"), {"action": "pause"})
    body = client_for(client, mentee).get(reverse("matches:proposal_detail", args=[proposal.pk])).content.decode()
    assert "may already be committed" in body


def test_without_rankings_for_mentees_a_waiting_mentee_still_sees_mentors_to_ask(client, group, mentee, settings):
    settings.MATCH_SUGGESTIONS_FOR_MENTEES = False
    mentor = approved_mentor(group)
    c = client_for(client, mentee)
    body = c.get(reverse("matches:mentee_home")).content.decode()
    assert reverse("matches:proposal_ask", args=[mentor.pk]) in body
    assert reverse("matches:suggestions", args=[mentee.pk]) not in body
    assert c.get(reverse("matches:suggestions", args=[mentee.pk])).status_code == 404


def test_the_mentor_home_pages_through_current_and_past_mentees_newest_first(client, group):
    from mentorship.homes import MENTOR_PAGE_SIZE

    mentor = approved_mentor(group)
    MentorProfile.objects.filter(user=mentor).update(capacity=10)
    now = timezone.now()
    current = [MatchFactory(mentor=mentor, group=group, started_at=now - timedelta(days=i))
               for i in range(MENTOR_PAGE_SIZE + 3)]
    past = [MatchFactory(mentor=mentor, group=group, started_at=now - timedelta(days=100 + i), status=Match.Status.ENDED,
                         ended_at=now - timedelta(days=50)) for i in range(2)]
    c = client_for(client, mentor)
    body = c.get(reverse("matches:mentor_home")).content.decode()
    assert f"Your mentees ({len(current)})" in body and f"Showing 1–{MENTOR_PAGE_SIZE} of {len(current)}" in body
    assert "Past mentees (2)" in body
    lists = re.sub(r'<section class="next-step".*?</section>', "", body, flags=re.S)  # the lists, not the next step
    opened = re.findall(r'href="/matches/match/(\d+)/"', lists)
    expected = [m.pk for m in current[:MENTOR_PAGE_SIZE]] + [m.pk for m in past]
    assert [int(pk) for pk in opened] == expected, "the newest current mentees, then the past ones"
    assert 'rel="next" href="?page=2#current-mentees"' in body
    second = c.get(reverse("matches:mentor_home"), {"page": 2}).content.decode()
    second = re.sub(r'<section class="next-step".*?</section>', "", second, flags=re.S)
    rest = [int(pk) for pk in re.findall(r'href="/matches/match/(\d+)/"', second)][:3]
    assert rest == [m.pk for m in current[MENTOR_PAGE_SIZE:]]
    for junk in ("x", "0", "-1", "99", "9" * 30):
        assert c.get(reverse("matches:mentor_home"), {"page": junk, "past": junk}).status_code == 200, junk

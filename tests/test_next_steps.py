"""Every home leads with a "Next step" (issue 19): what to do now, computed by
mentorship.next_steps, shown in the region the browser suite also looks for."""

import html as html_module
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from escalations.tests.factories import ConcernFactory
from matches.tests.factories import MatchFactory, MentorApplicationFactory
from notifications.models import Delivery
from profiles.models import Profile
from support.models import Milestone
from support.tests.factories import MEAProfileFactory, supported_match

pytestmark = pytest.mark.django_db


def next_step(response) -> str:
    html = response.content.decode()
    found = re.search(r'<section class="next-step".*?</section>', html, re.S)
    assert found, "the page has no Next step region"
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0))))


def test_a_new_mentees_next_step_is_to_agree_a_first_meeting_and_names_how_to_reach_mentor_and_mea(client, group, mea):
    match = supported_match(group, mea, days_ago=2)
    Profile.objects.filter(user=match.mentor).update(connect_phone=True, connect_web=True, phone="555-0101",
                                                     discord="samwise")
    Profile.objects.filter(user=match.mentee).update(connect_phone=True, connect_web=False)
    MEAProfileFactory(user=mea, how_to_reach="Discord: alexk, weekday evenings")
    client.force_login(match.mentee)
    text = next_step(client.get(reverse("matches:mentee_home")))
    assert "Next step" in text
    assert f"Agree with {match.mentor.display_name} how and when you will first meet" in text
    assert "You both like to connect by phone" in text and "555-0101" in text and "samwise" in text
    assert "Discord: alexk, weekday evenings" in text
    assert "Next check-in with your MEA: by" in text
    assert "Toolkit: Connecting" in text


def test_a_mentors_next_step_names_what_to_celebrate_and_the_toolkits_way_for_now(client, group, mea):
    match = supported_match(group, mea, days_ago=70, checkins_done=3, last_checkin_on=timezone.localdate())
    Milestone.objects.create(match=match, recorded_by=match.mentee, what="First month without a panic attack")
    client.force_login(match.mentor)
    text = next_step(client.get(reverse("matches:mentor_home")))
    assert "To celebrate: First month without a panic attack" in text
    assert "Toolkit: Celebrating" in text


def test_a_mentor_asked_by_a_mentee_is_first_asked_to_answer(client, group, mentee, mentor):
    from matches.tests.factories import ProposalFactory

    ProposalFactory(mentor=mentor, mentee=mentee, group=group, initiated_by="mentee")
    client.force_login(mentor)
    text = next_step(client.get(reverse("matches:mentor_home")))
    assert f"Answer {mentee.display_name}'s proposal" in text and "Read and answer" in text


def test_a_mentor_whose_offer_waits_on_the_mentee_is_told_so(client, group, mentee, mentor):
    from matches.tests.factories import ProposalFactory

    ProposalFactory(mentor=mentor, mentee=mentee, group=group, initiated_by="mentor",
                    mentor_accepted_at=timezone.now(), mentor_confirmed_not_close=True)
    client.force_login(mentor)
    text = next_step(client.get(reverse("matches:mentor_home")))
    assert f"Waiting for {mentee.display_name} to answer" in text and "See the proposal" in text


def test_an_unmatched_mentee_is_told_what_will_appear_and_what_to_do_meanwhile(client, mentee):
    client.force_login(mentee)
    text = next_step(client.get(reverse("matches:mentee_home")))
    assert "Find a mentor" in text and "Meanwhile" in text


def test_an_meas_most_urgent_open_report_comes_before_any_check_in(client, group, mea):
    match = supported_match(group, mea, days_ago=40, next_due=timezone.localdate() - timedelta(days=5))
    ConcernFactory(match=match, tier=1)
    urgent = ConcernFactory(match=match, tier=2, kind="monitor", ack_deadline=timezone.now() + timedelta(hours=2))
    client.force_login(mea)
    response = client.get(reverse("support:mea_home"))
    assert f"Acknowledge report #{urgent.pk} (needs staff today)" in next_step(response)
    assert '>2<span class="visually-hidden"> waiting' in response.content.decode(), "the navigation counts both"


def test_an_mea_with_no_report_is_sent_to_the_match_most_in_need(client, group, mea):
    match = supported_match(group, mea, days_ago=40, next_due=timezone.localdate() - timedelta(days=5))
    client.force_login(mea)
    text = next_step(client.get(reverse("support:mea_home")))
    assert f"Check in with {match.mentor.display_name} and {match.mentee.display_name}" in text
    assert "overdue by 5 days" in text


def test_a_coordinator_reviews_applications_then_finds_mentors_for_waiting_mentees(client, group, coordinator, mentee):
    client.force_login(coordinator)
    assert f"Find a mentor for {mentee.display_name}" in next_step(client.get(reverse("matches:coordinator_home")))
    application = MentorApplicationFactory(group=group)
    text = next_step(client.get(reverse("matches:coordinator_home")))
    assert f"Review {application.applicant.display_name}'s application to mentor" in text


def test_a_coordinators_first_step_is_a_request_to_join_their_group(client, group, coordinator, mentee):
    from profiles.joining import JoinRequest
    from profiles.tests.factories import UserFactory

    for _ in range(2):
        JoinRequest.objects.create(user=UserFactory(), group=group)
    client.force_login(coordinator)
    text = next_step(client.get(reverse("matches:coordinator_home")))
    assert "Answer 2 requests to join" in text and "The oldest has waited since" in text


def test_staff_see_open_reports_by_tier_then_deadline_and_stuck_emails(client, group, staff_user, mea):
    match = MatchFactory(group=group, mea=mea)
    later = ConcernFactory(match=match, tier=3, ack_deadline=timezone.now() + timedelta(hours=3))
    first = ConcernFactory(match=match, tier=3, ack_deadline=timezone.now() + timedelta(hours=1))
    tier2 = ConcernFactory(match=match, tier=2, ack_deadline=timezone.now() - timedelta(hours=1))
    ConcernFactory(match=match, tier=1)  # not with staff: not listed
    Delivery.objects.create(to="x@example.org", subject="s", body_text="b", attempts=3,
                            created_at=timezone.now() - timedelta(hours=1))
    client.force_login(staff_user)
    response = client.get(reverse("escalations:staff_home"))
    assert f"Acknowledge report #{first.pk} (urgent)" in next_step(response)
    html = response.content.decode()
    order = [html.index(f">#{c.pk}<") for c in (first, later, tier2)]
    assert order == sorted(order)
    assert "Outbox: 1 failing, 0 waiting" in html
    assert "1 acknowledgement overdue" in html


def test_times_show_in_the_persons_own_zone_with_its_name(client, group, mea):
    match = supported_match(group, mea, days_ago=2)
    ConcernFactory(match=match, tier=1, ack_deadline=datetime(2027, 1, 5, 19, 0, tzinfo=UTC))
    Profile.objects.filter(user=mea).update(time_zone="America/New_York")
    client.force_login(mea)  # the zone is read when they sign in
    text = next_step(client.get(reverse("support:mea_home")))
    assert "Tue 5 Jan 2027, 14:00 EST" in text


def test_a_mentor_the_mentee_declined_is_not_suggested_to_them_and_ranks_last_for_the_coordinator(
        client, settings, group, mentee, coordinator):
    from matches import services
    from matches.models import MentorProfile
    from matches.tests.factories import ProposalFactory
    from profiles.tests.factories import member

    settings.MATCH_SUGGESTIONS_FOR_MENTEES = True
    declined, other = member("mentor", group), member("mentor", group)
    for m in (declined, other):
        MentorProfile.objects.create(user=m, capacity=3)
    Profile.objects.filter(user=declined).update(connect_web=True, connect_phone=True)  # would rank first
    proposal = ProposalFactory(mentor=declined, mentee=mentee, group=group, initiated_by="coordinator")
    services.proposal_decline(proposal_id=proposal.pk, by=mentee)

    client.force_login(mentee)
    page = client.get(reverse("matches:suggestions", args=[mentee.pk])).content.decode()
    assert other.display_name in page and declined.display_name not in page
    assert "(+" not in page, "a mentee reads reasons, not points"

    client.force_login(coordinator)
    page = client.get(reverse("matches:suggestions", args=[mentee.pk])).content.decode()
    assert page.index(other.display_name) < page.index(declined.display_name)
    assert "Declined by the mentee on" in page


def test_ways_to_connect_read_as_a_person_says_them():
    from profiles.models import Profile

    assert Profile(connect_web=True, connect_phone=True).connect_methods == ["phone", "web chat or video"]


def test_a_declined_mentor_is_suggested_again_once_the_cooldown_has_passed(client, settings, group, mentee):
    from matches import services
    from matches.models import MatchEvent, MentorProfile
    from matches.tests.factories import ProposalFactory
    from profiles.tests.factories import member

    settings.MATCH_SUGGESTIONS_FOR_MENTEES = True
    declined = member("mentor", group)
    MentorProfile.objects.create(user=declined, capacity=3)
    proposal = ProposalFactory(mentor=declined, mentee=mentee, group=group, initiated_by="coordinator")
    services.proposal_decline(proposal_id=proposal.pk, by=mentee)
    client.force_login(mentee)
    url = reverse("matches:suggestions", args=[mentee.pk])
    assert declined.display_name not in client.get(url).content.decode()
    days = settings.DECLINED_MENTOR_COOLDOWN_DAYS
    MatchEvent.objects.filter(proposal=proposal).update(created_at=timezone.now() - timedelta(days=days + 1))
    assert declined.display_name in client.get(url).content.decode(), "the cooldown ends"


def test_a_cohort_draft_never_pairs_a_mentee_with_a_mentor_they_declined_lately(group, coordinator):
    from matches import services
    from matches.selectors import cohort_drafts
    from matches.tests.factories import ProposalFactory, approved_mentor
    from profiles.models import Role
    from profiles.tests.factories import member

    mentee = member(Role.MENTEE, group)
    declined = approved_mentor(group, capacity=1)
    proposal = ProposalFactory(mentor=declined, mentee=mentee, group=group, initiated_by="coordinator")
    services.proposal_decline(proposal_id=proposal.pk, by=mentee)
    assert [(d.mentee, d.mentor.user) for d in cohort_drafts(coordinator)] == [], "the only mentor was declined"
    other = approved_mentor(group, capacity=1)
    assert [(d.mentee, d.mentor.user) for d in cohort_drafts(coordinator)] == [(mentee, other)]


@pytest.mark.parametrize("role, url, says", [
    ("mea", "support:mea_home", "When a coordinator assigns you a match, it appears here"),
    ("coordinator", "matches:coordinator_home", "Mentees waiting for a mentor, applications to mentor and proposals"),
    ("staff", "escalations:staff_home", "Reports that reach staff appear here by tier"),
])
def test_with_nothing_to_do_each_home_says_what_will_appear_and_what_to_do_meanwhile(client, group, role, url, says):
    from profiles.tests.factories import member

    client.force_login(member(role, group))
    text = next_step(client.get(reverse(url)))
    assert says in text and "Meanwhile" in text, text


def test_a_new_mentors_empty_lists_say_what_will_appear_there(client, group):
    from matches.tests.factories import approved_mentor

    client.force_login(approved_mentor(group))
    html = html_module.unescape(client.get(reverse("matches:mentor_home")).content.decode())
    assert "When a mentee asks you, or a coordinator proposes a pair, it appears here to answer" in html
    assert "When you and a mentee both say yes, your match appears here" in html
    assert "When a match ends it stays listed here" in html
    assert "No open proposals." not in html and "No past matches." not in html


def test_a_mentee_reads_why_a_mentor_might_fit_and_apart_what_counts_for_nothing(client, settings, group, mentee):
    from matches.models import MenteePreference
    from matches.tests.factories import approved_mentor

    settings.MATCH_SUGGESTIONS_FOR_MENTEES = True
    mentor = approved_mentor(group)
    Profile.objects.filter(user=mentor).update(gender="man")
    MenteePreference.objects.create(mentee=mentee, preferred_gender="woman")
    client.force_login(mentee)
    page = html_module.unescape(client.get(reverse("matches:suggestions", args=[mentee.pk])).content.decode())
    why = page[page.index("Why they might fit:"):page.index("Worth knowing:")]
    assert "Same group" in why and "Not the gender asked for" not in why
    assert "Not the gender asked for" in page[page.index("Worth knowing:"):]
    assert "(+" not in page and "score" not in page

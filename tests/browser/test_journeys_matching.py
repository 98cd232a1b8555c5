"""Matching in a real browser: becoming a mentor, a coordinator's proposal both
sides accept, and ending a match with a note of thanks."""

import re

import pytest

from matches.models import Match, MentorApplication, MentorProfile, Proposal
from matches.tests.factories import MatchFactory, approved_mentor
from profiles.models import Role
from profiles.tests.factories import member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _home(site):
    site.go("/")
    return site.page


def test_a_member_applies_to_mentor_and_a_coordinator_approves(site, group, coordinator):
    site.journey = "mentor-application"
    applicant = member(Role.MENTEE, group)
    site.login(applicant)
    page = _home(site)
    page.get_by_role("link", name="Apply to mentor").click()
    page.wait_for_url("**/matches/apply/")
    site.check("form")
    if page.locator("#id_group option").count() > 1:
        page.locator("#id_group").select_option(str(group.pk))
    page.locator("#id_months_in_group").fill("14")
    page.locator("input[name=qualities][value=experience]").check()
    page.locator("input[name=qualities][value=compassion]").check()
    page.locator("#id_capacity").fill("2")
    page.get_by_role("button", name="Send my application").click()
    page.wait_for_load_state()
    assert "A coordinator of your group will review" in page.locator("main").inner_text()
    site.check("sent")
    application = MentorApplication.objects.get(applicant=applicant)

    site.logout()
    site.login(coordinator)
    page = _home(site)
    assert site.path() == "/matches/coordinator/"
    site.check("board")
    card = page.locator("section.card", has_text=applicant.display_name)
    card.get_by_label("Note to the applicant").fill("Welcome aboard: start with one mentee.")
    card.get_by_role("button", name="Approve").click()
    page.wait_for_load_state()
    assert "Application reviewed" in page.get_by_role("status").first.inner_text()
    site.check("approved")
    application.refresh_from_db()
    assert application.status == "approved"
    assert MentorProfile.objects.filter(user=applicant).exists()

    site.logout()
    site.login(applicant)
    site.go("/matches/apply/")
    outcome = page.get_by_role("status").first.inner_text()
    assert "Approved" in outcome and "start with one mentee" in outcome
    site.check("applicant-sees")


def test_a_coordinator_proposes_a_match_and_both_sides_accept(site, group, coordinator):
    site.journey = "proposal"
    mentor = approved_mentor(group)
    mentee = member(Role.MENTEE, group)
    page = site.page
    site.login(coordinator)
    _home(site)
    row = page.locator("tr", has_text=mentee.display_name)
    row.get_by_role("link", name="Suggestions").click()
    page.wait_for_url(f"**/matches/suggestions/{mentee.pk}/")
    site.check("suggestions")
    card = page.locator("section.card", has_text=mentor.display_name)
    card.get_by_label("Why this pair").fill("Both are parents rebuilding after a divorce.")
    card.get_by_role("button", name="Propose this pair").click()
    page.wait_for_url("**/matches/coordinator/")
    assert "Proposal sent to both" in page.get_by_role("status").first.inner_text()
    proposal = Proposal.objects.get(mentor=mentor, mentee=mentee)

    for person, step in ((mentor, "mentor"), (mentee, "mentee")):
        site.logout()
        site.login(person)
        _home(site)
        page.locator("li.list-group-item", has_text="Coordinator").get_by_role("link", name="Open").first.click()
        page.wait_for_url(f"**/matches/proposals/{proposal.pk}/")
        site.check(f"{step}-sees")
        page.get_by_label(re.compile("not close friends or romantic partners")).check()
        page.get_by_role("button", name="Yes, I accept").click()
        page.wait_for_load_state()
        site.check(f"{step}-accepted")

    assert "You both said yes" in page.get_by_role("status").first.inner_text()
    match = Match.objects.get(mentor=mentor, mentee=mentee)
    assert match.status == Match.Status.ACTIVE and site.path() == f"/matches/match/{match.pk}/"


def test_a_mentee_ends_a_match_with_a_gratitude_note_the_mentor_reads(site, group):
    site.journey = "match-end"
    mentor = approved_mentor(group)
    mentee = member(Role.MENTEE, group)
    match = MatchFactory(mentor=mentor, mentee=mentee, group=group)
    page = site.page
    site.login(mentee)
    _home(site)
    page.get_by_role("link", name="Open your match").click()
    page.wait_for_url(f"**/matches/match/{match.pk}/")
    site.check("match")
    page.get_by_role("link", name="End this match…").click()
    page.wait_for_url(f"**/matches/match/{match.pk}/ending/")
    assert "What happens next" in page.locator("main").inner_text()
    site.check("confirm-end")
    page.locator("#id_reason").fill("I feel steady now and want to give back.")
    page.locator("#id_gratitude_note").fill("Thank you for every Tuesday call.")
    page.locator("#id_rating").select_option("5")
    page.get_by_role("button", name="End the match").click()
    page.wait_for_load_state()
    assert "The match has ended" in page.get_by_role("status").first.inner_text()
    site.check("ended")
    match.refresh_from_db()
    assert match.status == Match.Status.ENDED and match.gratitude_note.startswith("Thank you for every Tuesday call.")

    site.logout()
    site.login(mentor)
    site.go(f"/matches/match/{match.pk}/")
    body = page.locator("main").inner_text()
    assert "Thank you for every Tuesday call." in body
    assert "I feel steady now" not in body, "the private reason is for coordinators only"
    site.check("mentor-reads")


def test_a_mentor_application_without_qualities_explains_next_to_the_field_and_saves_nothing(site, group):
    site.journey = "errors-application"
    applicant = member(Role.MENTEE, group)
    site.login(applicant)
    page = site.page
    site.go("/matches/apply/")
    page.locator("#id_months_in_group").fill("14")
    page.get_by_role("button", name="Send my application").click()
    page.wait_for_load_state()
    message = page.locator("#div_id_qualities .invalid-feedback, #div_id_qualities ~ .invalid-feedback").first
    assert message.is_visible() and "Choose at least one quality." in message.inner_text()
    site.check("no-qualities")
    assert not MentorApplication.objects.exists()


def test_accepting_without_confirming_you_are_not_close_says_why_and_starts_nothing(site, group, coordinator):
    site.journey = "errors-accept"
    mentor = approved_mentor(group)
    mentee = member(Role.MENTEE, group)
    from matches.services import proposal_create

    proposal = proposal_create(mentor=mentor, mentee=mentee, by=coordinator, kind=Proposal.Kind.COORDINATOR)
    site.login(mentee)
    page = site.page
    site.go(f"/matches/proposals/{proposal.pk}/")
    page.get_by_role("button", name="Yes, I accept").click()
    page.wait_for_load_state()
    assert "correct the highlighted" in page.get_by_role("alert").first.inner_text()
    assert "not close friends" in site.field_error("id_confirm_not_close")
    site.check("unconfirmed")
    proposal.refresh_from_db()
    assert proposal.mentee_accepted_at is None and not Match.objects.exists()


def test_ending_a_match_without_a_reason_says_so_and_keeps_the_match(site, group):
    site.journey = "errors-match-end"
    match = MatchFactory(mentor=approved_mentor(group), mentee=member(Role.MENTEE, group), group=group)
    site.login(match.mentee)
    page = site.page
    site.go(f"/matches/match/{match.pk}/ending/")
    page.get_by_role("button", name="End the match").click()
    page.wait_for_load_state()
    assert "correct the highlighted" in page.get_by_role("alert").first.inner_text()
    assert "required" in site.field_error("id_reason")
    site.check("no-reason")
    match.refresh_from_db()
    assert match.status == Match.Status.ACTIVE

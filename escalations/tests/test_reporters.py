"""Anyone in the program reports, in their own words: about the other people of their
match, about themselves, about a person they share a group with, or about someone at
the program. The router gets the same keys; each report reaches exactly its people."""

import pytest
from django.urls import reverse
from django.utils import timezone

from escalations.models import Concern
from escalations.services import ConcernError, concern_raise
from matches.models import Match
from matches.tests.factories import MatchFactory
from profiles.models import Role
from profiles.tests.factories import member

pytestmark = pytest.mark.django_db


def post(client, **data):
    return client.post(reverse("escalations:report"), {"details": "d", **data}, follow=True)


def test_a_mentee_sees_the_situations_about_their_mentor_and_about_themselves(client, match):
    client.force_login(match.mentee)
    html = client.get(reverse("escalations:report")).content.decode()
    assert "Your mentor is about to hurt themselves" in html and "My mentor" in html
    assert "Your Mentee" not in html and "your mentee" not in html
    assert "I am having thoughts of suicide" in html


def test_a_mentee_reports_harassment_by_their_mentor_to_staff_only(client, match, staff_user):
    client.force_login(match.mentee)
    post(client, situations=["harassed"], about="mentor", match=match.pk)
    concern = Concern.objects.get()
    assert (concern.about, concern.tier, concern.routed_to_mea, concern.escalated_to_staff) == ("mentor", 2, None, True)


def test_a_self_report_of_thoughts_of_suicide_needs_no_who_and_shows_the_crisis_line_first(client, match):
    client.force_login(match.mentee)
    html = post(client, **{"situations": ["me:suicidal_thoughts_plan"]}).content.decode()
    concern = Concern.objects.get()
    assert (concern.about, concern.tier, concern.match, concern.routed_to_mea) == ("self", 2, match, match.mea)
    assert "You are having thoughts of suicide" in html
    assert html.index('href="tel:988"') < html.index('href="tel:911"')


def test_a_self_report_of_being_about_to_hurt_oneself_is_an_emergency_with_the_crisis_line_first(client, match):
    client.force_login(match.mentor)
    html = post(client, **{"situations": ["me:actively_suicidal"]}).content.decode()
    concern = Concern.objects.get()
    assert (concern.about, concern.tier, concern.escalated_to_staff) == ("self", 3, True)
    assert "You are thinking of hurting yourself" in html
    assert html.index('href="tel:988"') < html.index('href="tel:911"')


def test_feeling_overwhelmed_goes_to_the_mea_without_asking_who_it_is_about(client, match):
    client.force_login(match.mentor)
    post(client, **{"situations": ["me:overwhelmed"]})
    concern = Concern.objects.get()
    assert (concern.about, concern.tier, concern.routed_to_mea, concern.escalated_to_staff) == ("self", 1, match.mea,
                                                                                                False)


def test_a_member_with_no_match_reports_about_a_person_of_their_group_to_staff(client, group, staff_user):
    reporter, person = member(None, group), member(Role.MENTEE, group)
    client.force_login(reporter)
    html = client.get(reverse("escalations:report")).content.decode()
    assert person.display_name in html
    post(client, situations=["discriminated"], about="member", person=person.pk)
    concern = Concern.objects.get()
    assert (concern.about, concern.subject, concern.match, concern.group) == ("member", person, None, group)
    assert concern.escalated_to_staff and concern.routed_to_mea is None


def test_a_person_of_another_group_cannot_be_named(client, group, other_group):
    reporter, stranger = member(None, group), member(Role.MENTEE, other_group)
    client.force_login(reporter)
    response = post(client, situations=["harassed"], about="member", person=stranger.pk)
    assert response.context["form"].errors["person"] and not Concern.objects.exists()
    with pytest.raises(ConcernError):
        concern_raise(reporter=reporter, situations=["harassed"], about="member", subject=stranger)


def test_someone_whose_match_ended_reports_someone_at_the_program(client, match, staff_user):
    Match.objects.filter(pk=match.pk).update(status=Match.Status.ENDED, ended_at=timezone.now())
    client.force_login(match.mentee)
    post(client, situations=["harassed"], about="someone")
    concern = Concern.objects.get()
    assert (concern.about, concern.match, concern.subject, concern.tier) == ("someone", None, None, 2)
    assert concern.escalated_to_staff and concern.group == match.group


def test_a_tier_one_report_outside_a_match_goes_to_staff_with_the_staff_deadline(group, staff_user):
    reporter = member(None, group)
    concern = concern_raise(reporter=reporter, situations=["overwhelmed"], about="self")
    assert concern.tier == 1 and concern.escalated_to_staff and concern.routed_to_mea is None
    assert abs((concern.ack_deadline - concern.created_at).total_seconds() - 24 * 3600) < 5


def test_a_tier_one_report_about_the_mea_gets_the_staff_deadline_not_the_meas(match, staff_user):
    concern = concern_raise(reporter=match.mentor, match=match, situations=["boundaries"], about="mea")
    assert concern.escalated_to_staff and concern.routed_to_mea is None
    assert abs((concern.ack_deadline - concern.created_at).total_seconds() - 24 * 3600) < 5


def test_naming_ones_own_mea_as_a_person_still_never_reaches_that_mea(match, staff_user):
    concern = concern_raise(reporter=match.mentor, situations=["boundaries"], about="member", subject=match.mea)
    assert (concern.about, concern.match, concern.routed_to_mea) == ("mea", match, None)
    assert not Concern.objects.visible_to(match.mea).exists()


def test_a_report_about_oneself_and_about_someone_else_is_two_reports_each_routed_on_its_own(client, match):
    client.force_login(match.mentor)
    post(client, situations=["me:overwhelmed", "harassed"], about="mea", match=match.pk)
    mine, theirs = Concern.objects.get(about="self"), Concern.objects.get(about="mea")
    assert mine.routed_to_mea == match.mea and theirs.routed_to_mea is None and theirs.escalated_to_staff


def test_situations_about_someone_else_need_to_say_who(client, match):
    client.force_login(match.mentor)
    response = post(client, situations=["conflict"])
    assert response.context["form"].errors["about"] == ["Say who it is about."]
    assert not Concern.objects.exists()


def test_an_mea_reports_about_the_mentee_of_a_match_they_support(client, match, staff_user):
    client.force_login(match.mea)
    html = client.get(reverse("escalations:report")).content.decode()
    assert "Someone in a match you support is about to hurt themselves" in html
    post(client, situations=["victim_of_abuse"], about="mentee", match=match.pk)
    concern = Concern.objects.get()
    assert concern.reporter == match.mea and concern.tier == 2 and concern.escalated_to_staff


def test_another_groups_match_cannot_be_reported_on(client, match, other_group):
    other = MatchFactory(group=other_group)
    client.force_login(match.mentor)
    response = post(client, situations=["conflict"], about="mentee", match=other.pk)
    assert response.context["form"].errors["match"] and not Concern.objects.exists()

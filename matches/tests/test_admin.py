import pytest
from django.urls import reverse

from matches.tests.factories import MatchFactory, MentorApplicationFactory, ProposalFactory, approved_mentor
from profiles.models import Role
from profiles.tests.factories import member

pytestmark = pytest.mark.django_db

MODELS = ["match", "proposal", "mentorapplication", "mentorprofile", "menteepreference", "matchevent", "usedlink"]


def test_staff_see_every_matching_list_with_filters_and_no_add_button(client, group, staff_user, mentee):
    mentor = approved_mentor(group)
    match = MatchFactory(mentor=mentor, mentee=mentee, group=group)
    ProposalFactory(mentor=mentor, mentee=member(Role.MENTEE, group), group=group)
    MentorApplicationFactory(applicant=member(None, group), group=group)
    client.force_login(staff_user)
    for model in MODELS:
        response = client.get(reverse(f"admin:matches_{model}_changelist"), {"age": "7d"})
        assert response.status_code == 200, model
    body = client.get(reverse("admin:matches_match_changelist"), {"status": "active"}).content.decode()
    assert mentor.display_name in body and "Add match" not in body
    assert client.get(reverse("admin:matches_match_change", args=[match.pk])).status_code == 200


def test_coordinators_and_mentors_cannot_open_the_matching_admin(client, coordinator, mentor):
    for user in (coordinator, mentor):
        client.force_login(user)
        response = client.get(reverse("admin:matches_match_changelist"))
        assert response.status_code in (302, 403, 404)
        assert "Add match" not in response.content.decode()

import pytest
from django.urls import reverse

from profiles.models import Profile

pytestmark = pytest.mark.django_db


def test_a_member_views_and_edits_their_profile(client, mentee):
    client.force_login(mentee)
    assert client.get(reverse("profiles:me")).status_code == 200
    response = client.post(
        reverse("profiles:edit"),
        {"display_name": "Tay", "pronouns": "she/her", "gender": "woman", "time_zone": "Europe/Paris",
         "bio": "Hello", "connect_text": "on", "phone": "555-0199", "discord": "tay#1"},
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=mentee)
    assert (profile.display_name, profile.time_zone, profile.connect_text, profile.phone) == (
        "Tay", "Europe/Paris", True, "555-0199")


def test_a_bad_profile_shows_messages_next_to_fields_and_saves_nothing(client, mentee):
    client.force_login(mentee)
    before = Profile.objects.get(user=mentee).display_name
    response = client.post(
        reverse("profiles:edit"),
        {"display_name": "", "time_zone": "Mars/Olympus", "connect_phone": "on"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert {"display_name", "time_zone", "phone"} <= set(form.errors)
    assert Profile.objects.get(user=mentee).display_name == before


def test_a_profile_outside_your_groups_is_not_found(client, mentee, other_group):
    from profiles.tests.factories import member

    stranger = member("mentee", other_group)
    client.force_login(mentee)
    assert client.get(reverse("profiles:detail", args=[stranger.profile.pk])).status_code == 404
    neighbour = member("mentor", mentee.memberships.first().group)
    assert client.get(reverse("profiles:detail", args=[neighbour.profile.pk])).status_code == 200


def test_a_person_can_hold_several_roles_and_lose_one(mentor):
    from profiles.services import role_end, role_grant

    role_grant(mentor, "mentee")
    assert mentor.roles == {"mentor", "mentee"}
    role_end(mentor, "mentor")
    assert mentor.roles == {"mentee"}
    assert mentor.role_grants.count() == 2, "an ended role stays as history"


def test_staff_role_opens_the_admin_and_losing_it_closes_it(mentor):
    from profiles.services import role_end, role_grant

    role_grant(mentor, "staff")
    mentor.refresh_from_db()
    assert mentor.is_staff
    role_end(mentor, "staff")
    mentor.refresh_from_db()
    assert not mentor.is_staff

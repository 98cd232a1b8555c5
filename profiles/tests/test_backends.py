"""The signed-in person is loaded once per request, with what every page's frame needs."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse
from django.utils import timezone

from profiles.backends import ModelBackend, request_user
from profiles.models import Notification, Role
from profiles.services import role_end, role_grant
from profiles.tests.factories import member

pytestmark = pytest.mark.django_db


def test_person_grants_authenticator_and_unread_count_come_in_one_query(group, other_group, django_assert_num_queries):
    person = member(Role.MEA, group)
    role_grant(person, Role.COORDINATOR, group=other_group)
    role_grant(person, Role.MENTOR)
    role_end(person, Role.MENTOR)
    Authenticator.objects.create(user=person, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    Notification.objects.create(user=person, title="one")
    Notification.objects.create(user=person, title="two")
    Notification.objects.create(user=person, title="read", read_at=timezone.now())
    Notification.objects.create(user=member(None, group), title="someone else's")

    with django_assert_num_queries(1):
        user = request_user(person.pk)
        assert user == person
        assert user.roles == {Role.MEA, Role.COORDINATOR}, "the ended mentor grant is not held"
        assert user.coordinated_group_ids == {other_group.pk}
        assert user.has_totp is True
        assert user.unread_notification_count == 2
        assert user.display_name == person.display_name
        assert all(grant.user is user for grant in user.active_grants)


def test_a_person_with_no_role_no_authenticator_and_no_notices(group, django_assert_num_queries):
    person = member(None, group)
    with django_assert_num_queries(1):
        user = request_user(person.pk)
        assert user.active_grants == []
        assert user.has_totp is False
        assert user.unread_notification_count == 0


def test_an_unknown_or_deactivated_person_is_not_signed_in(group):
    person = member(Role.MENTEE, group)
    assert ModelBackend().get_user(person.pk + 1000) is None
    person.is_active = False
    person.save(update_fields=["is_active"])
    assert ModelBackend().get_user(person.pk) is None


def test_an_ended_role_is_gone_on_the_next_request(client, group):
    person = member(Role.COORDINATOR, group)
    client.force_login(person)
    assert client.get(reverse("matches:coordinator_home")).status_code == 200
    role_end(person, Role.COORDINATOR, group=group)
    assert client.get(reverse("matches:coordinator_home")).status_code in (302, 403, 404)


def test_the_navigation_badge_counts_unread_notices(client, group):
    person = member(Role.MENTEE, group)
    Notification.objects.create(user=person, title="one")
    Notification.objects.create(user=person, title="two")
    client.force_login(person)
    response = client.get(reverse("profiles:me"))
    assert response.status_code == 200
    assert response.context["unread_notifications"]() == 2


def test_the_compiled_query_loads_the_same_person_and_profile_as_the_orm(group, django_assert_num_queries):
    from profiles.models import Profile, User

    person = member(Role.MENTOR, group)
    Profile.objects.filter(user=person).update(bio="Likes long walks", connect_phone=True, time_zone="Europe/London")
    other = member(Role.MENTEE, group)
    for who in (person, other):
        with django_assert_num_queries(1):
            user = request_user(who.pk)
            profile = user.profile
        fresh = User.objects.select_related("profile").get(pk=who.pk)
        for field in User._meta.concrete_fields:
            assert getattr(user, field.attname) == getattr(fresh, field.attname), field.name
        for field in Profile._meta.concrete_fields:
            assert getattr(profile, field.attname) == getattr(fresh.profile, field.attname), field.name
        assert profile.user is user
        assert not user._state.adding and user._state.db == "default"


def test_a_person_without_a_profile_has_none_as_with_select_related(group):
    from profiles.models import Profile, User

    person = member(Role.MENTEE, group)
    Profile.objects.filter(user=person).delete()
    user = request_user(person.pk)
    with pytest.raises(User.profile.RelatedObjectDoesNotExist):
        user.profile  # noqa: B018 - the access is the assertion
    assert request_user("not-an-id") is None

"""The coordinators' members page and its changes: roles, match status, last check-in,
orientation; appoint and retire an MEA, move someone, remove someone (their matches end
and the other side is told). Every change is audited."""

import pytest
from django.utils import timezone

from audit.models import History
from matches.models import Match
from matches.tests.factories import MatchFactory, approved_mentor
from notifications.models import Notice
from profiles.models import Membership, Role
from profiles.tests.factories import SupportGroupFactory, member
from support.tests.factories import CheckInFactory

pytestmark = pytest.mark.django_db


def test_the_coordinator_sees_everyone_in_their_groups_with_roles_matches_check_ins_and_orientation(
        client, coordinator, group, other_group):
    mea = member("mea", group)
    new_mea = member("mea", group, oriented=False)
    match = MatchFactory(mentor=approved_mentor(group), mentee=member("mentee", group), group=group, mea=mea)
    CheckInFactory(match=match, mea=mea, held_on=timezone.localdate().replace(day=1))
    stranger = member("mentee", other_group)
    client.force_login(coordinator)
    html = client.get("/support/members/").content.decode()
    assert match.mentee.email in html and new_mea.email in html and stranger.email not in html
    assert "has a mentor" in html and "not complete" in html and "mentoring 1 mentee" in html
    assert html.count("orientation:") == 3, "only the mentor and the two MEAs take the orientation"
    assert timezone.localdate().replace(day=1).strftime("%-d %b %Y") in html


@pytest.mark.parametrize("who", ["mentee", "mentor", "mea"])
def test_other_roles_get_no_members_page(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/support/members/").status_code == 404


def test_a_coordinator_appoints_and_retires_an_mea_and_each_change_is_audited(client, coordinator, group):
    person = member("mentee", group)
    client.force_login(coordinator)
    client.post(f"/support/members/{group.pk}/{person.pk}/appoint-mea/")
    assert person.role_grants.filter(role=Role.MEA, group=group, ended_at=None).exists()
    grant = person.role_grants.get(role=Role.MEA, group=group)
    assert History.objects.tracks(grant).filter(pgh_label="insert", pgh_context__user=coordinator.pk).exists()
    client.post(f"/support/members/{group.pk}/{person.pk}/retire-mea/")
    assert not person.role_grants.filter(role=Role.MEA, ended_at=None).exists()
    assert History.objects.tracks(grant).filter(pgh_label="update", pgh_context__user=coordinator.pk).exists()


def test_an_mea_with_matches_is_not_retired(client, coordinator, group, mea):
    MatchFactory(mentor=approved_mentor(group), mentee=member("mentee", group), group=group, mea=mea)
    client.force_login(coordinator)
    response = client.post(f"/support/members/{group.pk}/{mea.pk}/retire-mea/", follow=True)
    assert "give them another MEA first" in response.content.decode()
    assert mea.role_grants.filter(role=Role.MEA, ended_at=None).exists()


def test_removing_a_mentee_ends_their_match_and_tells_the_mentor(client, coordinator, group, mea):
    mentor, mentee = approved_mentor(group), member("mentee", group)
    match = MatchFactory(mentor=mentor, mentee=mentee, group=group, mea=mea)
    client.force_login(coordinator)
    assert client.post(f"/support/members/{group.pk}/{mentee.pk}/remove/").status_code == 302  # not confirmed
    assert Membership.objects.filter(user=mentee, group=group).exists()
    client.post(f"/support/members/{group.pk}/{mentee.pk}/remove/", {"confirm": "1"})
    assert not Membership.objects.filter(user=mentee, group=group).exists()
    assert Match.objects.get(pk=match.pk).status == Match.Status.ENDED
    assert Notice.objects.filter(user=mentor, title="Your mentorship match has ended").exists()
    assert History.objects.filter(pgh_obj_model="profiles.Membership", pgh_label="delete",
                                  pgh_context__user=coordinator.pk).exists()


def test_a_coordinator_moves_someone_to_another_of_their_groups_but_not_to_someone_elses(
        client, coordinator, group, other_group):
    second = SupportGroupFactory()
    from profiles.services import role_grant

    role_grant(coordinator, Role.COORDINATOR, group=second)
    person = member("mentee", group)
    client.force_login(coordinator)
    client.post(f"/support/members/{group.pk}/{person.pk}/move/", {"to": other_group.pk})
    assert Membership.objects.filter(user=person, group=group).exists()
    client.post(f"/support/members/{group.pk}/{person.pk}/move/", {"to": second.pk})
    assert list(Membership.objects.filter(user=person).values_list("group_id", flat=True)) == [second.pk]
    assert History.objects.filter(pgh_obj_model="profiles.Membership", pgh_context__user=coordinator.pk).exists()


def test_another_groups_coordinator_cannot_change_a_member(client, group, other_group):
    person = member("mentee", group)
    client.force_login(member("coordinator", other_group))
    assert client.post(f"/support/members/{group.pk}/{person.pk}/remove/", {"confirm": "1"}).status_code == 404
    assert Membership.objects.filter(user=person, group=group).exists()


def test_every_link_on_the_members_page_opens_for_staff(client, staff_user, group):
    """Staff read every group's members but have no pairing board: the page links only where they may go."""
    import re

    member("mentee", group)
    client.force_login(staff_user)
    html = client.get("/support/members/").content.decode()
    links = {href for href in re.findall(r'href="(/[^"]*)"', html) if not href.startswith(("/accounts/logout", "/static/"))}
    assert links
    refused = [href for href in sorted(links) if client.get(href).status_code == 404]
    assert not refused, f"links staff cannot open: {refused}"

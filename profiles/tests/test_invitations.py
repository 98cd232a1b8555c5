"""Invitations: a coordinator (or staff) invites people to a group with a role; the emailed
link is single-use, expires, can be revoked and resent; following it signs the person up (or
in) and lands them in the group with the role, their address already verified."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from audit.models import History
from notifications.models import Delivery
from profiles.joining import Invitation
from profiles.models import Membership, Role, User
from profiles.tests.factories import SupportGroupFactory, member

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-pass-42"


def invite(client, group, addresses, role="mentee", send=True):
    data = {"group": group.pk, "role": role, "addresses": addresses, "preview": "1"}
    if send:
        data = {**data, "send": "1"}
    return client.post("/people/invitations/", data)


def link_in(email: str) -> str:
    body = Delivery.objects.filter(to=email).latest("created_at").body_text
    return re.search(r"http://testserver(/people/invite/[^/\s]+/)", body).group(1)


def test_a_coordinator_previews_a_pasted_list_with_an_error_on_each_bad_row(client, coordinator, group):
    client.force_login(coordinator)
    response = invite(client, group, "sam@example.org\nnot-an-address\nsam@example.org\nkim@example.org, coordinator",
                      send=False)
    html = response.content.decode()
    assert response.status_code == 200
    assert "not an email address" in html and "listed twice" in html and "you cannot invite with this role" in html
    assert "Send 1 invitation" in html
    assert not Invitation.objects.exists() and not Delivery.objects.exists()


def test_a_coordinator_invites_a_list_and_each_person_gets_a_link_and_only_its_hash_is_stored(client, coordinator, group):
    client.force_login(coordinator)
    response = invite(client, group, "sam@example.org\nkim@example.org, mentor")
    assert response.status_code == 302
    sam, kim = Invitation.objects.get(email="sam@example.org"), Invitation.objects.get(email="kim@example.org")
    assert (sam.role, kim.role, sam.group, sam.invited_by) == ("mentee", "mentor", group, coordinator)
    token = link_in("sam@example.org").split("/")[-2]
    assert token not in sam.token_hash and len(sam.token_hash) == 64
    assert History.objects.tracks(sam).filter(pgh_label="insert", pgh_context__user=coordinator.pk).exists()


def test_a_csv_upload_is_read_like_a_pasted_list(client, coordinator, group):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(coordinator)
    upload = SimpleUploadedFile("people.csv", b"email,role\nana@example.org,mea\nbo@example.org,\n", "text/csv")
    client.post("/people/invitations/", {"group": group.pk, "role": "mentee", "addresses": "", "csv_file": upload,
                                         "preview": "1", "send": "1"})
    assert dict(Invitation.objects.values_list("email", "role")) == {"ana@example.org": "mea", "bo@example.org": "mentee"}


def test_a_coordinator_cannot_invite_to_another_group(client, coordinator, other_group):
    client.force_login(coordinator)
    response = invite(client, other_group, "sam@example.org")
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("who", ["mentee", "mentor", "mea", "plain_member"])
def test_members_without_a_coordinating_role_get_no_invitations_page(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/people/invitations/").status_code == 404


def test_a_new_person_signs_up_from_the_link_and_lands_in_the_group_with_the_role_verified(client, coordinator, group):
    client.force_login(coordinator)
    invite(client, group, "new.person@example.org")
    client.logout()
    response = client.get(link_in("new.person@example.org"))
    assert response.status_code == 302 and response.url == "/accounts/signup/"
    page = client.get("/accounts/signup/").content.decode()
    assert 'value="new.person@example.org"' in page
    response = client.post("/accounts/signup/", {"email": "new.person@example.org", "password1": PASSWORD,
                                                 "password2": PASSWORD})
    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.org")
    assert Membership.objects.filter(user=user, group=group).exists() and user.has_role(Role.MENTEE)
    assert EmailAddress.objects.get(user=user).verified
    assert not Delivery.objects.filter(to=user.email, subject__icontains="confirm").exists()
    assert client.get("/").url == "/matches/mentee/"  # signed in, at their home
    assert Invitation.objects.get(email=user.email).status == Invitation.Status.ACCEPTED


def test_the_link_works_once(client, coordinator, group):
    client.force_login(coordinator)
    invite(client, group, "once@example.org")
    link = link_in("once@example.org")
    client.logout()
    client.get(link)
    client.post("/accounts/signup/", {"email": "once@example.org", "password1": PASSWORD, "password2": PASSWORD})
    client.logout()
    assert "cannot be used" in client.get(link).content.decode()


def test_someone_with_an_account_signs_in_and_accepts(client, coordinator, group, other_group):
    existing = member(None, other_group, email="has.account@example.org")
    client.force_login(coordinator)
    invite(client, group, existing.email, role="mea")
    link = link_in(existing.email)
    client.logout()
    response = client.get(link)
    assert response.url.startswith("/accounts/login/")
    client.force_login(existing)
    assert "Accept the invitation" in client.get("/people/invitation/").content.decode()
    assert client.post("/people/invitation/").status_code == 302
    assert existing.role_grants.filter(role=Role.MEA, group=group, ended_at=None).exists()


def test_an_expired_or_revoked_link_cannot_be_used_and_a_resend_makes_a_new_one(client, coordinator, group):
    client.force_login(coordinator)
    invite(client, group, "late@example.org")
    first = link_in("late@example.org")
    invitation = Invitation.objects.get()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert "cannot be used" in client.get(first).content.decode()
    assert client.post(f"/people/invitations/{invitation.pk}/resend/").status_code == 302
    second = link_in("late@example.org")
    assert second != first
    assert "cannot be used" in client.get(first).content.decode()
    client.post(f"/people/invitations/{invitation.pk}/revoke/")
    assert Invitation.objects.get().status == Invitation.Status.REVOKED
    assert "cannot be used" in client.get(second).content.decode()
    by_coordinator = History.objects.tracks(invitation).filter(pgh_label="update",
                                                               pgh_context__user=invitation.invited_by_id)
    changed = [set(e.pgh_diff) for e in by_coordinator]
    assert {"sent_at", "expires_at"} in changed and {"status", "answered_at"} in changed  # resent, revoked


def test_another_groups_coordinator_cannot_revoke_an_invitation(client, coordinator, group, other_group):
    client.force_login(coordinator)
    invite(client, group, "sam@example.org")
    client.force_login(member("coordinator", other_group))
    invitation = Invitation.objects.get()
    assert client.post(f"/people/invitations/{invitation.pk}/revoke/").status_code == 404
    assert Invitation.objects.get().status == Invitation.Status.PENDING


def test_staff_appoint_a_coordinator_of_a_new_group_by_invitation(client, staff_user):
    new_group = SupportGroupFactory()
    client.force_login(staff_user)
    invite(client, new_group, "coord@example.org", role="coordinator")
    link = link_in("coord@example.org")
    client.logout()
    client.get(link)
    client.post("/accounts/signup/", {"email": "coord@example.org", "password1": PASSWORD, "password2": PASSWORD})
    coordinator = User.objects.get(email="coord@example.org")
    assert new_group.pk in coordinator.coordinated_group_ids

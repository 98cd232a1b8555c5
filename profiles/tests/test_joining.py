"""Asking to join a group, the coordinators' answer, and the member home's next step."""

import pytest

from audit.models import History
from notifications.models import Delivery, Notice
from profiles.joining import JoinRequest
from profiles.models import Membership, Role
from profiles.tests.factories import SupportGroupFactory, UserFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(db):
    return UserFactory()


def test_a_member_sees_groups_open_to_requests_asks_and_the_coordinator_approves(client, newcomer, group, coordinator):
    group.open_to_requests = True
    group.save()
    hidden = SupportGroupFactory()
    client.force_login(newcomer)
    page = client.get("/people/join/").content.decode()
    assert group.name in page and hidden.name not in page
    assert client.post("/people/join/", {"group": group.pk, "note": "I go on Tuesdays"}).status_code == 302
    join = JoinRequest.objects.get(user=newcomer)
    assert Notice.objects.filter(user=coordinator, url="/support/members/").exists()  # where requests are answered
    assert "waiting for a coordinator" in client.get("/").content.decode()

    client.force_login(coordinator)
    assert "I go on Tuesdays" in client.get("/support/members/").content.decode()
    assert client.post(f"/support/members/join/{join.pk}/approve/").status_code == 302
    assert Membership.objects.filter(user=newcomer, group=group).exists() and newcomer.has_role(Role.MENTEE)
    assert Delivery.objects.filter(to=newcomer.email, subject__startswith="Welcome to").exists()
    approved = History.objects.tracks(join).filter(pgh_label="update", pgh_context__user=coordinator.pk).get()
    assert approved.pgh_diff["status"] == ["pending", "approved"]


def test_a_join_code_lets_a_member_ask_to_join_an_unlisted_group(client, newcomer, group):
    client.force_login(newcomer)
    client.post("/people/join/", {"code": group.join_code.lower()})
    assert JoinRequest.objects.filter(user=newcomer, group=group).exists()
    response = client.post("/people/join/", {"code": "NOPE1234"})
    assert "No group has this code" in response.content.decode()


def test_a_declined_member_is_told_and_not_added(client, newcomer, group, coordinator):
    join = JoinRequest.objects.create(user=newcomer, group=group)
    client.force_login(coordinator)
    asked = client.post(f"/support/members/join/{join.pk}/decline/")
    assert "What happens next" in asked.content.decode(), "declining asks first, on a page of its own"
    assert JoinRequest.objects.get().status == JoinRequest.Status.PENDING
    assert not Notice.objects.filter(user=newcomer).exists()
    client.post(f"/support/members/join/{join.pk}/decline/", {"confirm": "1"})
    assert not Membership.objects.filter(user=newcomer, group=group).exists()
    assert Notice.objects.filter(user=newcomer, title__contains="not approved").exists()


def test_another_groups_coordinator_cannot_answer_a_request(client, newcomer, group, other_group):
    join = JoinRequest.objects.create(user=newcomer, group=group)
    client.force_login(member("coordinator", other_group))
    assert client.post(f"/support/members/join/{join.pk}/approve/").status_code == 404
    assert JoinRequest.objects.get().status == JoinRequest.Status.PENDING


def test_the_member_home_tells_the_next_step_truthfully(client, group):
    person = member(None, group)
    person.profile.display_name = ""
    person.profile.save()
    client.force_login(person)
    assert "Complete your profile" in client.get("/").content.decode()
    person.profile.display_name = "Robin"
    person.profile.save()
    page = client.get("/").content.decode()
    assert "Complete your profile" not in page
    assert "Start the orientation" in page and "/matches/apply/" in page


def test_the_demo_shows_a_pending_invitation_a_join_request_and_a_half_done_orientation():
    from profiles import demo
    from profiles.joining import Invitation, OrientationAck, OrientationItem

    ctx = demo.DemoContext()
    demo.seed(ctx)
    demo.seed(demo.DemoContext())  # twice: nothing doubles
    assert Invitation.objects.pending().filter(email="invited@example.org").count() == 1
    assert JoinRequest.objects.filter(status=JoinRequest.Status.PENDING, user__email="newcomer@example.org").count() == 1
    rosa = OrientationAck.objects.filter(user=ctx.users["mentor_rosa"]).count()
    assert 0 < rosa < OrientationItem.objects.count()

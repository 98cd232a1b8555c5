"""Property-based tests of joining: invitations, requests to join, orientation and the
members page's changes answer bad input with a form error or a clear 4xx, never a 500,
never save half of it, and never reach another group."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from profiles.joining import Invitation, JoinRequest, OrientationAck
from profiles.joining_services import invitation_create
from profiles.models import Membership, Role
from profiles.tests.factories import UserFactory, member
from tests.fuzzing import FUZZ, State, as_, assert_every_post_endpoint_is_fuzzed, huge_ids, ids, junk, rolled_back, send

pytestmark = pytest.mark.django_db

FUZZED = {
    "people:invitations", "people:invitation_change", "people:invitation_accept", "people:join",
    "people:orientation_ack", "people:orientation",
}


def test_every_post_endpoint_of_people_has_a_fuzz_case():
    assert_every_post_endpoint_is_fuzzed("people", FUZZED)


@pytest.fixture
def world(group, other_group):
    coordinator = member(Role.COORDINATOR, group)
    theirs = invitation_create(by=member(Role.COORDINATOR, other_group), group=other_group, email="x@example.org",
                               role="mentee")
    join = JoinRequest.objects.create(user=UserFactory(), group=other_group)
    return {"coordinator": coordinator, "group": group, "other_group": other_group, "theirs": theirs, "join": join}


@FUZZ
@given(data=st.fixed_dictionaries({}, optional={
    "group": st.one_of(ids, st.just("GROUP")), "role": st.one_of(junk, st.sampled_from(["mentee", "coordinator"])),
    "addresses": st.one_of(junk, st.just("a@example.org\nb@example.org, mea")), "preview": junk, "send": junk}))
def test_inviting_with_any_input_never_500s_and_never_invites_to_another_group(world, data):
    if data.get("group") == "GROUP":
        data["group"] = str(world["group"].pk)
    with rolled_back():
        send(as_(world["coordinator"]), "/people/invitations/", data, still_asking=True)
        assert not Invitation.objects.filter(group=world["other_group"]).exclude(pk=world["theirs"].pk).exists()
        assert not Invitation.objects.filter(role="coordinator").exists()


@FUZZ
@given(pk=st.one_of(st.just("theirs"), huge_ids), action=st.one_of(st.sampled_from(["resend", "revoke"]), junk))
def test_changing_any_invitation_touches_only_ones_own_groups(world, pk, action):
    target = world["theirs"].pk if pk == "theirs" else pk
    if not action or "/" in action or "\x00" in action:
        action = "revoke"
    with rolled_back():
        response, _ = send(as_(world["coordinator"]), f"/people/invitations/{target}/{action}/",
                           state=State("profiles"))
        assert response.status_code == 404
        assert Invitation.objects.get(pk=world["theirs"].pk).status == Invitation.Status.PENDING


@FUZZ
@given(data=st.dictionaries(st.sampled_from(["x", "invitation", "email"]), junk, max_size=2))
def test_accepting_without_a_followed_link_changes_nothing(world, data):
    with rolled_back():
        send(as_(UserFactory()), "/people/invitation/", data, state=State("profiles"), still_asking=True)


@FUZZ
@given(data=st.fixed_dictionaries({}, optional={"group": st.one_of(ids, st.just("OPEN")), "code": junk,
                                                "note": junk}))
def test_asking_to_join_with_any_input_never_500s_and_asks_at_most_once(world, data):
    world["group"].open_to_requests = True
    world["group"].save()
    if data.get("group") == "OPEN":
        data["group"] = str(world["group"].pk)
    person = UserFactory()
    with rolled_back():
        send(as_(person), "/people/join/", data)
        assert JoinRequest.objects.filter(user=person).count() <= 1
        assert not Membership.objects.filter(user=person).exists()


@FUZZ
@given(pk=st.one_of(st.just("theirs"), huge_ids), action=st.sampled_from(["approve", "decline", "delete", "x"]))
def test_answering_any_request_to_join_touches_only_ones_own_groups(world, pk, action):
    target = world["join"].pk if pk == "theirs" else pk
    with rolled_back():
        response, _ = send(as_(world["coordinator"]), f"/support/members/join/{target}/{action}/", state=State("profiles"))
        assert response.status_code == 404


@FUZZ
@given(pk=huge_ids, data=st.dictionaries(st.sampled_from(["for", "x"]), junk, max_size=2))
def test_acknowledging_any_orientation_item_id_never_500s(world, pk, data):
    person = UserFactory()
    with rolled_back():
        response, _ = send(as_(person), f"/people/orientation/{pk}/done/", data, state=State("profiles"))
        assert response.status_code == 404
        assert not OrientationAck.objects.filter(user=person).exists()


@FUZZ
@given(data=st.dictionaries(st.sampled_from(["for", "pk", "item"]), junk, max_size=2))
def test_a_post_to_the_orientation_page_changes_nothing(world, data):
    with rolled_back():
        send(as_(UserFactory()), "/people/orientation/", data, state=State("profiles"), still_asking=True)

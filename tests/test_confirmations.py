"""What is hard to undo asks first, on a page of its own that says what happens next
(issue 19); the button posts to the action's own endpoint."""

import pytest
from django.urls import reverse

from matches.models import Match, MentorProfile, Proposal
from matches.tests.factories import MatchFactory, ProposalFactory
from profiles.models import Membership

pytestmark = pytest.mark.django_db


def test_a_mentor_is_asked_before_retiring_and_nothing_changes_until_they_confirm(client, mentor):
    MentorProfile.objects.create(user=mentor, capacity=2)
    client.force_login(mentor)
    page = client.get(reverse("matches:mentor_retire_confirm")).content.decode()
    assert "What happens next" in page and "Yes, retire" in page
    assert MentorProfile.objects.get(user=mentor).status == MentorProfile.Status.AVAILABLE
    client.post(reverse("matches:mentor_status"), {"action": "retire"})
    assert MentorProfile.objects.get(user=mentor).status == MentorProfile.Status.RETIRED


def test_ending_a_match_has_its_own_page_for_either_side_and_no_one_else(client, group, mentor, mentee, mea, coordinator):
    match = MatchFactory(mentor=mentor, mentee=mentee, group=group, mea=mea)
    url = reverse("matches:match_end_confirm", args=[match.pk])
    for side in (mentor, mentee):
        client.force_login(side)
        page = client.get(url).content.decode()
        assert "What happens next" in page and f'action="{reverse("matches:match_end", args=[match.pk])}"' in page
    for other in (mea, coordinator):
        client.force_login(other)
        assert client.get(url).status_code == 404
    assert Match.objects.get(pk=match.pk).is_active


def test_declining_a_proposal_asks_first(client, group, mentor, mentee):
    proposal = ProposalFactory(mentor=mentor, mentee=mentee, group=group, initiated_by="coordinator")
    client.force_login(mentee)
    page = client.get(reverse("matches:proposal_decline_confirm", args=[proposal.pk])).content.decode()
    assert "is told you said no, without a reason" in page
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.OPEN


def test_removing_a_member_asks_first_and_only_their_coordinator_may(client, group, other_group, coordinator, mentee):
    from profiles.tests.factories import member

    other_coordinator = member("coordinator", other_group)
    url = reverse("support:member_remove_confirm", args=[group.pk, mentee.pk])
    client.force_login(other_coordinator)
    assert client.get(url).status_code == 404
    client.force_login(coordinator)
    page = client.get(url).content.decode()
    assert "What happens next" in page and "Yes, remove" in page
    assert Membership.objects.filter(user=mentee, group=group).exists()
    client.post(reverse("support:member_change", args=[group.pk, mentee.pk, "remove"]), {"confirm": "1"})
    assert not Membership.objects.filter(user=mentee, group=group).exists()

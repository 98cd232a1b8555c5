"""Orientation for mentors and MEAs: acknowledged item by item before a first match."""

import pytest

from matches.models import Proposal
from matches.services import MatchingError, proposal_create
from matches.tests.factories import MatchFactory, MentorProfileFactory
from profiles.joining import OrientationAck, OrientationItem
from profiles.tests.factories import member
from support.services import SupportError, match_mea_assign

pytestmark = pytest.mark.django_db


def test_the_orientation_covers_the_tiers_emergencies_boundaries_and_confidentiality():
    titles = " ".join(OrientationItem.objects.for_role("mentor").values_list("title", flat=True))
    for topic in ("three tiers", "emergency", "not a friendship", "Confidentiality"):
        assert topic in titles


def test_a_mentor_acknowledges_each_item_and_sees_the_programs_numbers(client, group, settings):
    settings.EMERGENCY_NUMBERS = [{"label": "Emergency services", "number": "112", "kind": "call"}]
    mentor = member("mentor", group, oriented=False)
    client.force_login(mentor)
    html = client.get("/people/orientation/").content.decode()
    assert "Emergency services: 112 (call)" in html
    items = list(OrientationItem.objects.for_role("mentor"))
    for item in items[:-1]:
        client.post(f"/people/orientation/{item.pk}/done/")
    assert "You have completed the orientation" not in client.get("/people/orientation/").content.decode()
    client.post(f"/people/orientation/{items[-1].pk}/done/")
    assert "You have completed the orientation" in client.get("/people/orientation/").content.decode()
    assert OrientationAck.objects.filter(user=mentor).count() == len(items)


def test_no_proposal_is_sent_to_a_mentor_before_the_orientation(group, coordinator):
    mentor = member("mentor", group, oriented=False)
    MentorProfileFactory(user=mentor)
    with pytest.raises(MatchingError, match="has not completed the orientation"):
        proposal_create(mentor=mentor, mentee=member("mentee", group), by=coordinator, kind=Proposal.Kind.COORDINATOR)
    assert not Proposal.objects.exists()


def test_an_mea_gets_no_match_before_the_orientation(group, coordinator):
    mea = member("mea", group, oriented=False)
    match = MatchFactory(group=group, mentor=member("mentor", group), mentee=member("mentee", group))
    with pytest.raises(SupportError, match="has not completed the orientation for an MEA"):
        match_mea_assign(match=match, mea=mea, by=coordinator)


def test_staff_edit_the_orientation_text_in_the_admin(client, staff_user, settings):
    settings.MFA_ENFORCE = False
    item = OrientationItem.objects.get(slug="boundaries")
    client.force_login(staff_user)
    response = client.post(f"/admin/profiles/orientationitem/{item.pk}/change/", {
        "slug": item.slug, "title": "Boundaries", "body": "New words.", "audience": "both", "position": 3,
        "active": "on"})
    assert response.status_code == 302
    assert OrientationItem.objects.get(pk=item.pk).body == "New words."


def test_the_report_page_links_back_to_the_orientation(client, group):
    client.force_login(member("mentor", group))
    assert 'href="/people/orientation/"' in client.get("/concerns/report/").content.decode()

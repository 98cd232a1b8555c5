"""A check-in that names an emergency opens a report, and the MEA lands on that report's
page: the guidance for what was named, and one true message about it."""

import pytest
from django.urls import reverse
from django.utils import timezone

from escalations.models import Concern
from matches.tests.factories import MatchFactory

pytestmark = pytest.mark.django_db


def test_an_emergency_named_in_a_check_in_lands_on_the_report_with_its_guidance(client, mentor, mentee, mea, group):
    match = MatchFactory(mentor=mentor, mentee=mentee, mea=mea, group=group)
    client.force_login(mea)
    response = client.post(reverse("support:checkin_create", args=[match.pk]), {
        "with_whom": "both", "held_on": timezone.localdate().isoformat(), "rating": "2", "meetings_held": "1",
        "meetings_cancelled": "0", "to_celebrate": "", "worrying": "w", "private_note": "",
        "situations": ["decompensation"]}, follow=True)
    concern = Concern.objects.get()
    assert response.redirect_chain[-1][0] == reverse("escalations:my_report", args=[concern.pk])
    html = response.content.decode()
    assert "Check-in saved" in html and "Someone is having a psychotic break" in html and 'href="tel:911"' in html

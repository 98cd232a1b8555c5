"""The chat board's "It worries me for someone's safety" goes through the escalation router:
staff are told (whether or not the group has a coordinator) and the reporter sees the guidance."""

import pytest
from django.urls import reverse

from community import services
from community.models import ChatReport
from escalations.models import Concern
from profiles.tests.factories import member

pytestmark = pytest.mark.django_db


def _post(author, group):
    return services.post_create(author=author, group=group, kind="offer", title="Happy to talk", body="Any time")


def test_a_safety_report_on_a_post_reaches_staff_with_no_coordinator_and_shows_the_guidance(client, group,
                                                                                           staff_user):
    author, reader = member(None, group), member(None, group)
    post = _post(author, group)
    client.force_login(reader)
    response = client.post(reverse("community:report_post", args=[post.pk]),
                           {"reason": "unsafe", "situation": "actively_suicidal", "note": ""}, follow=True)
    concern = Concern.objects.get()
    assert (concern.reporter, concern.about, concern.subject, concern.source) == (reader, "member", author, "chat")
    assert concern.tier == 3 and concern.escalated_to_staff and concern.routed_to_mea is None
    assert ChatReport.objects.get().reason == "unsafe"
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("escalations:my_report", args=[concern.pk])
    assert "Someone is about to hurt themselves" in html and 'href="tel:911"' in html


def test_a_safety_report_without_saying_what_is_happening_is_refused_next_to_the_field(client, group):
    author, reader = member(None, group), member(None, group)
    post = _post(author, group)
    client.force_login(reader)
    response = client.post(reverse("community:report_post", args=[post.pk]), {"reason": "unsafe"})
    assert response.status_code == 200 and response.context["form"].errors["situation"]
    assert not ChatReport.objects.exists() and not Concern.objects.exists()


def test_other_chat_reports_stay_with_the_coordinators(group):
    author, reader = member(None, group), member(None, group)
    report = services.report_create(reporter=reader, reason="spam", post=_post(author, group))
    assert report.safety_concern is None and not Concern.objects.exists()

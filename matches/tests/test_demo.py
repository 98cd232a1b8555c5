from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from matches.models import Match, MentorApplication, MentorProfile, Proposal
from matches.selectors import waiting_mentees
from profiles.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_has_every_matching_state_and_each_portal_renders_it(client):
    call_command("seed_demo")
    assert MentorProfile.objects.count() == 5
    assert MentorApplication.objects.get(status="pending").applicant.email == "applicant@example.org"
    taylor = Match.objects.active().get(mentee__email="mentee@example.org")
    assert taylor.mentor.email == "mentor@example.org" and taylor.mea.email == "mea.alex@example.org"
    assert Match.objects.active().count() == 4
    ended = Match.objects.get(status="ended")
    assert ended.gratitude_note
    assert Proposal.objects.open().get().mentee.email == "mentee.fatima@example.org"
    assert "mentee.gabe@example.org" in set(waiting_mentees().values_list("email", flat=True))

    pages = {
        "mentee@example.org": ["matches:mentee_home"],
        "mentor@example.org": ["matches:mentor_home"],
        "coordinator@example.org": ["matches:coordinator_home", "matches:cohort"],
    }
    for email, names in pages.items():
        client.force_login(User.objects.get(email=email))
        for name in names:
            assert client.get(reverse(name)).status_code == 200, (email, name)
    client.force_login(User.objects.get(email="mentee.chris@example.org"))
    body = client.get(reverse("matches:match_detail", args=[ended.pk])).content.decode()
    assert "Tuesday call" in body


def test_the_demos_waiting_mentees_have_waited_days_not_minutes(client):
    call_command("seed_demo")
    waiting = {m.email: m.waiting_since for m in waiting_mentees()}
    assert set(waiting) == {"mentee.gabe@example.org", "mentee.fatima@example.org", "applicant@example.org"}
    for email, since in waiting.items():
        assert timezone.now() - since >= timedelta(days=3), email
    client.force_login(User.objects.get(email="coordinator@example.org"))
    html = client.get(reverse("matches:coordinator_home")).content.decode()
    assert "3\xa0weeks" in html and "minute" not in html
    call_command("seed_demo")  # a second run leaves the dates as they were
    assert {m.email: m.waiting_since for m in waiting_mentees()} == waiting

"""A mentor proposes a meeting from the match page and the mentee accepts it; a mentee tells
their MEA how it is going through the pulse, and a worry brings the help at once."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting
from meetings.tests.factories import pair
from support.models import Survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_mentor_proposes_a_meeting_and_the_mentee_accepts_it(site, group, mea):
    site.journey = "meeting"
    match = pair(group, mea=mea, mentor_tz="America/New_York", mentee_tz="Europe/Paris")
    site.login(match.mentor)
    page = site.page
    site.go(reverse("matches:match_detail", args=[match.pk]))
    page.get_by_role("link", name="Propose a meeting").click()
    page.wait_for_url(f"**/meetings/match/{match.pk}/propose/")
    site.check("propose-form")
    day = timezone.localdate() + timedelta(days=7)
    page.locator("#id_day").fill(day.isoformat())
    page.locator("#id_time").fill("18:00")
    page.locator("#id_minutes").select_option("45")
    page.locator("#id_how").select_option("phone")
    page.get_by_role("button", name="Propose").click()
    meeting = Meeting.objects.get()
    page.wait_for_url(f"**/meetings/{meeting.pk}/")
    assert "Proposed" in page.get_by_role("status").first.inner_text()
    site.check("proposed")

    site.logout()
    site.login(match.mentee)
    site.go(reverse("matches:match_detail", args=[match.pk]))
    assert "Your answer is needed" in page.locator("#meetings-open").inner_text()
    page.locator("#meetings-open a").first.click()
    page.wait_for_url(f"**/meetings/{meeting.pk}/")
    assert "00:00" in page.locator("#meeting-when").inner_text()  # 18:00 in New York is midnight in Paris
    site.check("to-accept")
    page.get_by_role("button", name="Accept this time").click()
    page.wait_for_url(f"**/meetings/{meeting.pk}/")
    assert "calendar invite" in page.get_by_role("status").first.inner_text()
    site.check("accepted")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.ACCEPTED and meeting.invited


def test_a_mentee_answers_the_pulse_and_a_worry_shows_help_at_once(site, group, mea):
    site.journey = "pulse"
    match = pair(group, mea=mea)
    site.login(match.mentee)
    page = site.page
    site.go(reverse("support:match_detail", args=[match.pk]))
    page.get_by_role("link", name="Answer the pulse").click()
    page.wait_for_url(f"**/support/matches/{match.pk}/pulse/")
    site.check("form")
    page.get_by_label("2", exact=True).check()
    page.get_by_label("One sentence for your MEA (optional)").fill("A hard month at home.")
    page.get_by_label("I am worried about someone's safety").check()
    page.get_by_role("button", name="Send to my MEA").click()
    page.wait_for_load_state()
    assert page.locator("#pulse-worried").is_visible()
    site.check("help-now")
    page.get_by_role("link", name="Tell the right people: report what is happening").click()
    page.wait_for_url("**/concerns/report/?match=*")
    site.check("report-form")
    survey = Survey.objects.get()
    assert (survey.score, survey.worried, survey.respondent) == (2, True, match.mentee)

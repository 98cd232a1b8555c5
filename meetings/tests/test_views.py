from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.models import Meeting

from .factories import pair

pytestmark = pytest.mark.django_db


def proposal(match):
    starts = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    return services.meeting_propose(match=match, by=match.mentor, starts_at=starts, minutes=60, how="video")


def test_the_mentor_proposes_a_meeting_from_the_match_page_in_their_own_time_zone(client, group):
    match = pair(group, mentor_tz="America/New_York", mentee_tz="Europe/Paris")
    client.force_login(match.mentor)
    page = client.get(reverse("matches:match_detail", args=[match.pk]))
    assert reverse("meetings:propose", args=[match.pk]) in page.content.decode()
    day = (timezone.now() + timedelta(days=10)).date()
    response = client.post(reverse("meetings:propose", args=[match.pk]),
                           {"day": day.isoformat(), "time": "18:00", "minutes": "60", "how": "phone", "where": ""})
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert timezone.localtime(meeting.starts_at, meeting.match.mentor.profile.zone).hour == 18
    client.force_login(match.mentee)
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "00:00" in page and "Europe/Paris" in page  # 18:00 in New York is midnight in Paris
    assert "Accept this time" in page


def test_a_time_in_the_past_is_a_message_next_to_the_field_and_nothing_saved(client, group):
    match = pair(group)
    client.force_login(match.mentor)
    yesterday = (timezone.now() - timedelta(days=1)).date()
    response = client.post(reverse("meetings:propose", args=[match.pk]),
                           {"day": yesterday.isoformat(), "time": "10:00", "minutes": "60", "how": "phone"})
    assert response.status_code == 200
    assert "has not passed yet" in response.content.decode()
    assert not Meeting.objects.exists()


def test_the_mentee_accepts_and_the_match_page_shows_the_meeting_as_planned(client, group):
    match = pair(group)
    meeting = proposal(match)
    client.force_login(match.mentee)
    client.post(reverse("meetings:accept", args=[meeting.pk]))
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.ACCEPTED
    page = client.get(reverse("matches:match_detail", args=[match.pk])).content.decode()
    assert "Planned" in page


@pytest.mark.parametrize("who", ["mea", "coordinator"])
def test_the_mea_and_coordinator_read_a_meeting_but_cannot_act_on_it(client, group, mea, coordinator, who):
    match = pair(group, mea=mea)
    meeting = proposal(match)
    client.force_login({"mea": mea, "coordinator": coordinator}[who])
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 200
    for name in ("accept", "cancel", "held", "suggest"):
        assert client.post(reverse(f"meetings:{name}", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("meetings:ics", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("meetings:propose", args=[match.pk])).status_code == 404


def test_someone_outside_the_match_gets_404_everywhere(client, group, other_group):
    match = pair(group)
    meeting = proposal(match)
    outsider = pair(other_group).mentor
    client.force_login(outsider)
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 404
    assert client.post(reverse("meetings:cancel", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("meetings:propose", args=[match.pk])).status_code == 404
    assert Meeting.objects.get().status == Meeting.Status.PROPOSED


def test_a_person_makes_and_stops_their_calendar_link(client, group):
    match = pair(group)
    client.force_login(match.mentee)
    response = client.post(reverse("meetings:calendar_new"))
    url = response.context["new_url"]
    assert url and url in response.content.decode()
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert client.get(reverse("meetings:feed", args=[token])).status_code == 200
    page = client.get(reverse("meetings:calendar")).content.decode()
    assert token not in page  # shown once only
    client.post(reverse("meetings:calendar_stop"))
    client.logout()
    assert client.get(reverse("meetings:feed", args=[token])).status_code == 404


def test_the_match_page_shows_a_meetings_time_in_the_one_date_style_with_its_zone(client, group):
    from datetime import UTC, datetime

    match = pair(group, mentor_tz="America/New_York", mentee_tz="Europe/Paris")
    services.meeting_propose(match=match, by=match.mentor, starts_at=datetime(2030, 1, 8, 23, 0, tzinfo=UTC),
                             minutes=60, how="video")
    client.force_login(match.mentee)
    page = client.get(reverse("matches:match_detail", args=[match.pk])).content.decode()
    assert "Wed 9 Jan 2030, 00:00 CET" in page

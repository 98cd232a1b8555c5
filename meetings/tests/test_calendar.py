"""The calendar files a calendar app reads: parsed back with icalendar, as a client would."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from meetings import calendar, services

from .factories import pair

pytestmark = pytest.mark.django_db


def parsed(ics: bytes):
    cal = Calendar.from_ical(ics)
    events = cal.walk("VEVENT")
    return cal, events


def planned(group):
    match = pair(group)
    starts = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    meeting = services.meeting_propose(match=match, by=match.mentor, starts_at=starts, minutes=45, how="video",
                                       where="https://meet.example.org/abc")
    services.meeting_accept(meeting=meeting, by=match.mentee)
    meeting.refresh_from_db()
    return match, meeting


def test_an_accepted_meeting_is_an_invite_a_calendar_reads(group):
    match, meeting = planned(group)
    cal, events = parsed(calendar.invite_ics(meeting, for_user=match.mentee))
    assert str(cal["method"]) == "REQUEST" and str(cal["version"]) == "2.0"
    assert len(events) == 1
    event = events[0]
    assert event.decoded("dtstart") == meeting.starts_at
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=45)
    assert str(event["status"]) == "CONFIRMED" and int(event["sequence"]) == 0
    assert match.mentor.display_name in str(event["summary"])
    assert str(event["location"]) == "https://meet.example.org/abc"
    assert {str(a) for a in event["attendee"]} == {f"mailto:{match.mentor.email}", f"mailto:{match.mentee.email}"}


def test_the_uid_stays_the_same_across_updates_and_the_sequence_rises(group):
    match, meeting = planned(group)
    uid = str(parsed(calendar.invite_ics(meeting, for_user=match.mentor))[1][0]["uid"])
    services.meeting_suggest(meeting=meeting, by=match.mentor, starts_at=meeting.starts_at + timedelta(hours=1),
                             minutes=60, how="phone")
    services.meeting_accept(meeting=meeting, by=match.mentee)
    meeting.refresh_from_db()
    event = parsed(calendar.invite_ics(meeting, for_user=match.mentor))[1][0]
    assert str(event["uid"]) == uid
    assert int(event["sequence"]) == 2
    assert event.decoded("dtstart") == meeting.starts_at


def test_a_cancellation_is_method_cancel_with_the_same_uid(group):
    match, meeting = planned(group)
    uid = str(parsed(calendar.invite_ics(meeting, for_user=match.mentor))[1][0]["uid"])
    services.meeting_cancel(meeting=meeting, by=match.mentee)
    meeting.refresh_from_db()
    cal, events = parsed(calendar.invite_ics(meeting, for_user=match.mentor, cancel=True))
    assert str(cal["method"]) == "CANCEL"
    assert str(events[0]["uid"]) == uid and str(events[0]["status"]) == "CANCELLED"
    assert int(events[0]["sequence"]) == 1


def test_the_download_of_a_cancelled_meeting_is_its_cancellation(client, group):
    match, meeting = planned(group)
    services.meeting_cancel(meeting=meeting, by=match.mentee)
    client.force_login(match.mentor)
    response = client.get(reverse("meetings:ics", args=[meeting.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    assert str(Calendar.from_ical(response.content)["method"]) == "CANCEL"


def test_the_private_feed_lists_the_persons_meetings(client, group):
    match, meeting = planned(group)
    token = services.calendar_feed_create(match.mentee)
    response = client.get(reverse("meetings:feed", args=[token]))
    assert response.status_code == 200
    cal, events = parsed(response.content)
    assert "method" not in cal
    assert [e.decoded("dtstart") for e in events] == [meeting.starts_at]


def test_the_feed_refuses_a_revoked_or_replaced_or_made_up_token(client, group):
    match, _meeting = planned(group)
    old = services.calendar_feed_create(match.mentee)
    new = services.calendar_feed_create(match.mentee)
    assert client.get(reverse("meetings:feed", args=[old])).status_code == 404
    assert client.get(reverse("meetings:feed", args=[new])).status_code == 200
    services.calendar_feed_revoke(match.mentee)
    assert client.get(reverse("meetings:feed", args=[new])).status_code == 404
    assert client.get(reverse("meetings:feed", args=["made-up"])).status_code == 404


def test_the_feed_of_another_person_holds_none_of_this_pairs_meetings(client, group, other_group):
    _match, _meeting = planned(group)
    other = pair(other_group)
    token = services.calendar_feed_create(other.mentor)
    assert parsed(client.get(reverse("meetings:feed", args=[token])).content)[1] == []


def test_the_invite_email_carries_an_ics_a_calendar_accepts_and_the_cancellation_one_with_method_cancel(
        group, mailoutbox):
    from notifications.delivery import deliver_many
    from notifications.models import Delivery

    match, meeting = planned(group)
    services.meeting_cancel(meeting=meeting, by=match.mentor)
    deliver_many(list(Delivery.objects.filter(to=match.mentee.email).values_list("pk", flat=True)))
    by_method = {}
    for message in mailoutbox:
        for name, content, mimetype in message.attachments:
            assert name == "invite.ics" and mimetype.startswith("text/calendar")
            cal = Calendar.from_ical(content)
            by_method[str(cal["method"])] = cal.walk("VEVENT")[0]
    assert set(by_method) == {"REQUEST", "CANCEL"}
    assert str(by_method["REQUEST"]["uid"]) == str(by_method["CANCEL"]["uid"])
    assert int(by_method["CANCEL"]["sequence"]) == int(by_method["REQUEST"]["sequence"]) + 1

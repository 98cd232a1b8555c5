from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from meetings import services
from meetings.models import CalendarFeed, Meeting
from meetings.services import MeetingError
from notifications.models import Delivery, Notice

from .factories import pair

pytestmark = pytest.mark.django_db


def soon(days=3):
    return (timezone.now() + timedelta(days=days)).replace(microsecond=0)


def test_a_proposal_waits_for_the_other_side_who_is_told(group):
    match = pair(group)
    meeting = services.meeting_propose(match=match, by=match.mentor, starts_at=soon(), minutes=45, how="phone")
    assert meeting.status == Meeting.Status.PROPOSED
    assert meeting.time_zone == "America/New_York"
    assert meeting.awaits_answer_from(match.mentee) and not meeting.awaits_answer_from(match.mentor)
    assert Notice.objects.filter(user=match.mentee).count() == 1
    assert Delivery.objects.filter(to=match.mentee.email).count() == 1
    assert not Delivery.objects.filter(to=match.mentor.email).exists()


def test_the_email_gives_the_time_in_the_recipients_own_time_zone(group):
    match = pair(group, mentor_tz="America/New_York", mentee_tz="Europe/Paris")
    starts = datetime(2030, 1, 15, 18, 0, tzinfo=ZoneInfo("America/New_York"))  # 00:00 on the 16th in Paris
    services.meeting_propose(match=match, by=match.mentor, starts_at=starts, minutes=60, how="video")
    email = Delivery.objects.get(to=match.mentee.email)
    assert "Wed 16 Jan 2030, 00:00 CET" in email.subject and "Europe/Paris" in email.subject  # the one date style


def test_the_proposer_cannot_accept_their_own_proposal(group):
    match = pair(group)
    meeting = services.meeting_propose(match=match, by=match.mentor, starts_at=soon(), minutes=60, how="video")
    with pytest.raises(MeetingError):
        services.meeting_accept(meeting=meeting, by=match.mentor)
    assert Meeting.objects.get().status == Meeting.Status.PROPOSED


def test_accepting_sends_both_an_invite_and_a_second_accept_is_refused(group):
    match = pair(group)
    meeting = services.meeting_propose(match=match, by=match.mentor, starts_at=soon(), minutes=60, how="video")
    services.meeting_accept(meeting=meeting, by=match.mentee)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.invited, meeting.sequence) == (Meeting.Status.ACCEPTED, True, 0)
    for person in (match.mentor, match.mentee):
        assert Delivery.objects.filter(to=person.email, body_text__contains=f"/meetings/{meeting.pk}/invite.ics").exists()
    with pytest.raises(MeetingError):
        services.meeting_accept(meeting=meeting, by=match.mentee)


def test_a_new_time_for_a_planned_meeting_raises_the_sequence_and_waits_for_the_other_side(group):
    match = pair(group)
    meeting = services.meeting_propose(match=match, by=match.mentor, starts_at=soon(), minutes=60, how="video")
    services.meeting_accept(meeting=meeting, by=match.mentee)
    services.meeting_suggest(meeting=meeting, by=match.mentee, starts_at=soon(4), minutes=30, how="phone")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence, meeting.proposed_by) == (Meeting.Status.PROPOSED, 1, match.mentee)
    assert meeting.awaits_answer_from(match.mentor)
    services.meeting_accept(meeting=meeting, by=match.mentor)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence) == (Meeting.Status.ACCEPTED, 2)


def test_a_meeting_can_be_marked_held_only_once_it_started(group):
    match = pair(group)
    meeting = services.meeting_propose(match=match, by=match.mentor, starts_at=soon(), minutes=60, how="video")
    services.meeting_accept(meeting=meeting, by=match.mentee)
    with pytest.raises(MeetingError):
        services.meeting_mark_held(meeting=meeting, by=match.mentor)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(hours=2))
    services.meeting_mark_held(meeting=meeting, by=match.mentee)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD and meeting.closed_by == match.mentee
    with pytest.raises(MeetingError):
        services.meeting_cancel(meeting=meeting, by=match.mentor)


def test_cancelling_a_planned_meeting_tells_both_and_raises_the_sequence(group):
    match = pair(group)
    meeting = services.meeting_propose(match=match, by=match.mentor, starts_at=soon(), minutes=60, how="video")
    services.meeting_accept(meeting=meeting, by=match.mentee)
    services.meeting_cancel(meeting=meeting, by=match.mentor)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence) == (Meeting.Status.CANCELLED, 1)
    assert Delivery.objects.filter(subject__contains="cancelled").count() == 2


@pytest.mark.parametrize("who", ["mea", "coordinator", "stranger"])
def test_nobody_but_the_pair_plans_or_answers_its_meetings(group, mea, coordinator, who):
    from profiles.tests.factories import member

    match = pair(group, mea=mea)
    person = {"mea": mea, "coordinator": coordinator, "stranger": member("mentor", group)}[who]
    with pytest.raises(MeetingError):
        services.meeting_propose(match=match, by=person, starts_at=soon(), minutes=60, how="video")
    meeting = services.meeting_propose(match=match, by=match.mentor, starts_at=soon(), minutes=60, how="video")
    for action in (services.meeting_accept, services.meeting_cancel):
        with pytest.raises(MeetingError):
            action(meeting=meeting, by=person)


def test_a_meeting_in_the_past_or_of_an_ended_match_is_refused(group):
    match = pair(group)
    with pytest.raises(MeetingError):
        services.meeting_propose(match=match, by=match.mentor, starts_at=timezone.now() - timedelta(minutes=1),
                                 minutes=60, how="video")
    match.status, match.ended_at = "ended", timezone.now()
    match.save()
    with pytest.raises(MeetingError):
        services.meeting_propose(match=match, by=match.mentor, starts_at=soon(), minutes=60, how="video")
    assert not Meeting.objects.exists()


def test_a_new_calendar_link_stops_the_old_one(group):
    match = pair(group)
    first = services.calendar_feed_create(match.mentor)
    assert services.calendar_feed_owner(first) == match.mentor
    second = services.calendar_feed_create(match.mentor)
    assert services.calendar_feed_owner(first) is None
    assert services.calendar_feed_owner(second) == match.mentor
    assert CalendarFeed.objects.filter(user=match.mentor, revoked_at=None).count() == 1
    assert not CalendarFeed.objects.filter(token_hash__in=[first, second]).exists()  # only hashes are stored
    services.calendar_feed_revoke(match.mentor)
    assert services.calendar_feed_owner(second) is None

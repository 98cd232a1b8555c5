"""The members' own voice: pulse, closing and program surveys, and the pulse and meeting reminders."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from matches.models import Match
from meetings import services as meeting_services
from notifications.models import Delivery, Notice
from profiles.tests.factories import member
from support import reminders, surveys
from support.models import MatchSupport, Reminder, Survey
from support.selectors import dashboard_rows
from support.services import SupportError
from support.tests.factories import supported_match

pytestmark = pytest.mark.django_db

NOON_NY_WINTER = datetime(2026, 1, 15, 17, 0, tzinfo=UTC)  # 12:00 in New York (EST), everyone's default zone


def test_a_pulse_answered_in_the_portal_reaches_the_mea_and_nobody_else(client, group, mea, coordinator, staff_user):
    match = supported_match(group, mea)
    client.force_login(match.mentor)
    page = client.get(reverse("support:match_detail", args=[match.pk])).content.decode()
    assert reverse("support:pulse", args=[match.pk]) in page
    response = client.post(reverse("support:pulse", args=[match.pk]), {"score": "4", "comment": "PULSE-WORDS"})
    assert response.status_code == 302
    assert Survey.objects.get().score == 4
    assert reverse("support:pulse", args=[match.pk]) not in client.get(response["Location"]).content.decode()
    assert Notice.objects.filter(user=mea, url=f"/support/matches/{match.pk}/").exists()
    client.force_login(mea)
    assert "PULSE-WORDS" in client.get(reverse("support:match_detail", args=[match.pk])).content.decode()
    for person in (coordinator, staff_user, match.mentee):
        client.force_login(person)
        assert "PULSE-WORDS" not in client.get(reverse("support:match_detail", args=[match.pk])).content.decode()
        assert not Survey.objects.visible_to(person).exists()


def test_a_falling_pulse_moves_a_match_up_the_mea_dashboard(group, mea):
    steady = supported_match(group, mea, days_ago=5)
    falling = supported_match(group, mea, days_ago=5)
    for match, scores in ((steady, (4, 4)), (falling, (5, 3))):
        occurrence = surveys.pulse_occurrence(match)
        surveys.pulse_answer(match=match, by=match.mentor, occurrence=occurrence, score=scores[0])
        surveys.pulse_answer(match=match, by=match.mentee, occurrence=occurrence, score=scores[1])
    rows = dashboard_rows(Match.objects.filter(mea=mea), mea)
    assert [r.match for r in rows] == [falling, steady]
    assert "Pulse falling (5 → 3)" in rows[0].reasons
    assert MatchSupport.objects.get(pk=falling.pk).pulse_last == 3


def test_the_one_click_link_shows_the_form_on_open_and_answers_once(client, group, mea):
    match = supported_match(group, mea)
    occurrence = surveys.pulse_occurrence(match)
    path = surveys.pulse_link_path(match_id=match.pk, user_id=match.mentee.pk, occurrence=occurrence)
    assert client.get(path + "?score=2").status_code == 200  # a mail scanner's prefetch answers nothing
    assert not Survey.objects.exists()
    response = client.post(path, {"score": "2", "comment": "Hard month"})
    assert response.status_code == 200 and response.context["thanks"]
    survey = Survey.objects.get()
    assert (survey.respondent, survey.score, survey.occurrence) == (match.mentee, 2, occurrence)
    again = client.post(path, {"score": "5"})
    assert again.status_code == 410
    assert Survey.objects.get().score == 2


def test_a_forged_or_expired_pulse_link_is_refused(client, group, mea, monkeypatch):
    match = supported_match(group, mea)
    path = surveys.pulse_link_path(match_id=match.pk, user_id=match.mentee.pk, occurrence=date(2026, 1, 1))
    assert client.get(path[:-3] + "xyz/").status_code == 410
    monkeypatch.setattr(surveys, "PULSE_LINK_DAYS", -1)
    assert client.post(path, {"score": "3"}).status_code == 410
    assert not Survey.objects.exists()


def test_a_pulse_that_names_a_worry_offers_the_guidance_and_the_prefilled_report_form_at_once(client, group, mea):
    match = supported_match(group, mea)
    client.force_login(match.mentee)
    response = client.post(reverse("support:pulse", args=[match.pk]), {"score": "1", "worried": "on"})
    assert response.status_code == 200
    body = response.content.decode()
    assert f'{reverse("escalations:report")}?match={match.pk}' in body and reverse("emergency") in body
    assert "tel:" in body
    form = client.get(f'{reverse("escalations:report")}?match={match.pk}').context["form"]
    assert str(form["match"].value()) == str(match.pk)
    assert Survey.objects.get().worried


def test_a_pulse_is_asked_before_the_check_in_and_sent_once_across_retries(group, mea, time_machine):
    time_machine.move_to(NOON_NY_WINTER, tick=False)
    match = supported_match(group, mea, days_ago=20, next_due=date(2026, 1, 17))  # due in two days
    queued: list[list[int]] = []
    reminders.scan(enqueue=queued.append)
    reminders.scan(enqueue=queued.append)  # the beat runs again before the worker
    for batch in queued + queued:  # every batch delivered twice (a retried task, a second worker)
        reminders.send_many(batch)
    pulses = Reminder.objects.filter(kind=Reminder.Kind.PULSE, status=Reminder.Status.SENT)
    assert {r.recipient for r in pulses} == {match.mentor, match.mentee}
    for person in (match.mentor, match.mentee):
        email = Delivery.objects.get(to=person.email)
        assert "/support/pulse/" in email.body_text
        notice = Notice.objects.get(user=person)
        assert notice.url == reverse("support:pulse", args=[match.pk])  # no signed link kept in the portal
    assert not Delivery.objects.filter(to=mea.email).exists()  # the check-in itself is not due yet


def test_a_pulse_already_answered_is_not_asked_again(group, mea, time_machine):
    time_machine.move_to(NOON_NY_WINTER, tick=False)
    match = supported_match(group, mea, days_ago=20, next_due=date(2026, 1, 16))
    surveys.pulse_answer(match=match, by=match.mentor, occurrence=date(2026, 1, 16), score=4)
    reminders.scan(enqueue=lambda batch: reminders.send_many(batch))
    assert not Delivery.objects.filter(to=match.mentor.email).exists()
    assert Delivery.objects.filter(to=match.mentee.email).count() == 1


def test_a_meeting_is_reminded_the_day_before_in_each_persons_time_zone_once(group, time_machine):
    from meetings.tests.factories import pair

    time_machine.move_to(datetime(2026, 1, 14, 12, 0, tzinfo=UTC), tick=False)
    match = pair(group, mentor_tz="America/New_York", mentee_tz="Asia/Tokyo")
    starts = datetime(2026, 1, 15, 23, 0, tzinfo=UTC)  # 18:00 on the 15th in New York, 08:00 on the 16th in Tokyo
    meeting = meeting_services.meeting_propose(match=match, by=match.mentor, starts_at=starts, how="video")
    meeting_services.meeting_accept(meeting=meeting, by=match.mentee)
    Delivery.objects.all().delete()

    def run():
        reminders.scan(enqueue=lambda batch: [reminders.send_many(batch) for _ in range(2)])

    run()  # Jan 14, 12:00 UTC: 07:00 in New York (too early), 21:00 in Tokyo (the day before is the 15th there)
    assert not Reminder.objects.filter(kind=Reminder.Kind.MEETING, status=Reminder.Status.SENT).exists()
    time_machine.move_to(datetime(2026, 1, 14, 15, 0, tzinfo=UTC), tick=False)  # 10:00 in New York
    run()
    assert [r.recipient for r in Reminder.objects.filter(kind="meeting", status="sent")] == [match.mentor]
    time_machine.move_to(datetime(2026, 1, 15, 1, 0, tzinfo=UTC), tick=False)  # 10:00 on the 15th in Tokyo
    run()
    run()
    for person in (match.mentor, match.mentee):
        assert Delivery.objects.filter(to=person.email, subject__contains="tomorrow").count() == 1


def test_a_cancelled_meeting_is_not_reminded(group, time_machine):
    from meetings.tests.factories import pair

    time_machine.move_to(datetime(2026, 1, 14, 15, 0, tzinfo=UTC), tick=False)
    match = pair(group, mentor_tz="America/New_York", mentee_tz="America/New_York")
    meeting = meeting_services.meeting_propose(match=match, by=match.mentor, how="video",
                                               starts_at=datetime(2026, 1, 15, 23, 0, tzinfo=UTC))
    meeting_services.meeting_accept(meeting=meeting, by=match.mentee)
    queued: list = []
    reminders.scan(enqueue=queued.append)
    meeting_services.meeting_cancel(meeting=meeting, by=match.mentee)
    for batch in queued:
        reminders.send_many(batch)
    assert not Reminder.objects.filter(kind="meeting", status="sent").exists()


def test_the_closing_survey_is_asked_once_after_a_match_ends(client, group, mea):
    match = supported_match(group, mea)
    Match.objects.filter(pk=match.pk).update(status="ended", ended_at=timezone.now() - timedelta(days=1))
    client.force_login(match.mentee)
    page = client.get(reverse("support:match_detail", args=[match.pk])).content.decode()
    assert reverse("support:closing_survey", args=[match.pk]) in page
    client.post(reverse("support:closing_survey", args=[match.pk]), {"score": "5", "comment": "Thank you"})
    client.post(reverse("support:closing_survey", args=[match.pk]), {"score": "1"})
    assert list(Survey.objects.values_list("kind", "score")) == [("closing", 5)]
    reminders.scan(enqueue=lambda batch: reminders.send_many(batch, now=timezone.now() + timedelta(days=2)))
    assert not Reminder.objects.filter(kind="closing", recipient=match.mentee, status="sent").exists()


def test_the_program_survey_is_answered_once_a_half_year_per_role(client, group):
    person = member("mentee", group)
    client.force_login(person)
    assert "recommend being mentored" in client.get(reverse("support:program_survey")).content.decode()
    client.post(reverse("support:program_survey"), {"score": "9"})
    assert client.get(reverse("support:program_survey")).status_code == 302
    with pytest.raises(SupportError):
        surveys.program_answer(by=person, role="mentee", score=3)
    with pytest.raises(SupportError):
        surveys.program_answer(by=person, role="mentor", score=3)
    assert list(Survey.objects.values_list("kind", "role", "score")) == [("program", "mentee", 9)]


def test_coordinators_and_staff_have_no_program_survey_to_answer(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("support:program_survey")).status_code == 404

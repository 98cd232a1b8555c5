from datetime import date, timedelta

import pytest
from django.utils import timezone

from matches.tests.factories import MatchFactory
from profiles.tests.factories import member
from support import services
from support.cadence import next_due
from support.models import CheckInRequest, MatchSupport, Milestone
from support.services import SupportError
from support.tests.factories import MEAProfileFactory, supported_match

pytestmark = pytest.mark.django_db


def test_cadence_is_two_check_ins_in_the_first_month_then_monthly_from_the_last_one():
    start = date(2026, 1, 1)
    assert next_due(start, 0, None) == date(2026, 1, 15)
    assert next_due(start, 1, date(2026, 1, 20)) == date(2026, 2, 5)  # 16 days after a late first check-in
    assert next_due(start, 2, date(2026, 2, 1)) == date(2026, 3, 3)
    assert next_due(start, 7, date(2026, 6, 1)) == date(2026, 7, 1)


def test_the_cadence_is_a_program_setting(settings):
    settings.CHECKIN_CADENCE = {"first": [7], "every": 14}
    assert next_due(date(2026, 1, 1), 0, None) == date(2026, 1, 8)
    assert next_due(date(2026, 1, 1), 1, date(2026, 1, 9)) == date(2026, 1, 23)


def test_recording_a_check_in_moves_the_next_due_date_on(group, mea):
    match = supported_match(group, mea, days_ago=20)
    services.checkin_record(match=match, mea=mea, with_whom="both", rating=4, meetings_cancelled=1)
    support = MatchSupport.objects.get(match=match)
    today = timezone.localdate()
    assert support.checkins_done == 1 and support.last_checkin_on == today
    assert support.next_due == today + timedelta(days=16)
    services.checkin_record(match=match, mea=mea, with_whom="mentor", rating=2, meetings_cancelled=2)
    support.refresh_from_db()
    assert support.checkins_done == 1, "the mentor and mentee seen on the same day count as one check-in"
    assert (support.prev_rating, support.last_rating) == (4, 2)


def test_a_check_in_remembers_whether_it_was_on_time(group, mea):
    match = supported_match(group, mea, days_ago=40, next_due=timezone.localdate() - timedelta(days=5))
    checkin = services.checkin_record(match=match, mea=mea, with_whom="both", rating=3)
    assert not checkin.on_time


def test_only_the_matchs_mea_records_a_check_in(group, mea):
    other = member("mea", group)
    match = supported_match(group, mea)
    with pytest.raises(SupportError):
        services.checkin_record(match=match, mea=other, with_whom="both", rating=3)
    assert not match.checkins.exists()


def test_a_future_check_in_or_a_bad_rating_is_refused_and_changes_nothing(group, mea):
    match = supported_match(group, mea)
    with pytest.raises(SupportError):
        services.checkin_record(match=match, mea=mea, with_whom="both", rating=3,
                                held_on=timezone.localdate() + timedelta(days=1))
    with pytest.raises(SupportError):
        services.checkin_record(match=match, mea=mea, with_whom="both", rating=9)
    assert MatchSupport.objects.get(match=match).checkins_done == 0


def test_a_coordinator_assigns_an_mea_within_their_caseload(group, coordinator, mea, settings):
    MEAProfileFactory(user=mea, caseload_limit=1)
    first = MatchFactory(group=group, mentor=member("mentor", group), mentee=member("mentee", group))
    second = MatchFactory(group=group, mentor=member("mentor", group), mentee=member("mentee", group))
    services.match_mea_assign(match=first, mea=mea, by=coordinator)
    first.refresh_from_db()
    assert first.mea == mea and MatchSupport.objects.get(match=first).mea_assigned_by == coordinator
    with pytest.raises(SupportError, match="limit"):
        services.match_mea_assign(match=second, mea=mea, by=coordinator)
    second.refresh_from_db()
    assert second.mea is None


def test_the_mea_can_be_changed_later(group, coordinator, mea):
    other = member("mea", group)
    match = supported_match(group, mea)
    services.match_mea_assign(match=match, mea=other, by=coordinator)
    match.refresh_from_db()
    assert match.mea == other


def test_a_coordinator_of_another_group_or_a_non_mea_cannot_be_used(group, other_group, mea, mentor):
    outsider = member("coordinator", other_group)
    match = MatchFactory(group=group, mentor=mentor, mentee=member("mentee", group))
    with pytest.raises(SupportError):
        services.match_mea_assign(match=match, mea=mea, by=outsider)
    coordinator = member("coordinator", group)
    with pytest.raises(SupportError):
        services.match_mea_assign(match=match, mea=member("mentor", group), by=coordinator)
    with pytest.raises(SupportError):
        services.match_mea_assign(match=match, mea=member("mea", other_group), by=coordinator)


def test_a_self_check_in_is_asked_once_and_answered_once(group, mea):
    match = supported_match(group, mea)
    req = services.checkin_request_create(match=match, by=mea, respondent=match.mentee)
    assert services.checkin_request_create(match=match, by=mea, respondent=match.mentee) == req
    services.checkin_request_answer(request=req, by=match.mentee, rating=5, to_celebrate="First coffee together")
    req.refresh_from_db()
    assert req.status == CheckInRequest.Status.ANSWERED
    assert mea.notices.filter(url__contains=f"/self-check-ins/{req.pk}/").exists()
    with pytest.raises(SupportError):
        services.checkin_request_answer(request=req, by=match.mentee, rating=1)


def test_only_the_person_asked_can_answer(group, mea):
    match = supported_match(group, mea)
    req = services.checkin_request_create(match=match, by=mea, respondent=match.mentee)
    with pytest.raises(SupportError):
        services.checkin_request_answer(request=req, by=match.mentor, rating=3)


def test_the_pair_or_the_mea_record_milestones_and_nobody_else(group, mea, coordinator):
    match = supported_match(group, mea)
    for person in (match.mentor, match.mentee, mea):
        services.milestone_record(match=match, by=person, what="Six months together")
    with pytest.raises(SupportError):
        services.milestone_record(match=match, by=coordinator, what="Not mine to record")
    with pytest.raises(SupportError):
        services.milestone_record(match=match, by=mea, what="   ")
    assert Milestone.objects.filter(match=match).count() == 3


def test_missing_support_rows_are_created_in_bulk_for_active_matches_only(group):
    active = MatchFactory(group=group, mentor=member("mentor", group), mentee=member("mentee", group))
    MatchFactory(group=group, mentor=member("mentor", group), mentee=member("mentee", group),
                 status="ended", ended_at=timezone.now())
    assert services.supports_ensure() == 1
    assert list(MatchSupport.objects.values_list("match_id", flat=True)) == [active.pk]
    assert services.supports_ensure() == 0

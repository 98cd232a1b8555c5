from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from matches.tests.factories import MatchFactory
from meetings.models import Meeting
from meetings.tests.factories import MeetingFactory
from profiles.tests.factories import member
from support.models import CheckIn, CheckInRequest, MatchSupport, Milestone
from support.need import need_score_refresh
from support.selectors import COORDINATOR_PAGE_SIZE, DASHBOARD_PAGE_SIZE
from support.services import checkin_request_create
from support.tests.factories import MEAProfileFactory, supported_match

pytestmark = pytest.mark.django_db


@pytest.fixture
def match(group, mea):
    return supported_match(group, mea, days_ago=20)


def _as(client, user):
    client.force_login(user)
    return client


def test_the_pair_the_mea_the_coordinator_and_staff_see_the_match_support_page(client, match, mea, coordinator, staff_user):
    for person in (match.mentor, match.mentee, mea, coordinator, staff_user):
        response = _as(client, person).get(reverse("support:match_detail", args=[match.pk]))
        assert response.status_code == 200, person
    body = _as(client, match.mentee).get(reverse("support:match_detail", args=[match.pk])).content.decode()
    assert "Your MEA" in body and mea.email in body, "the mentee sees who their MEA is and how to reach them"
    body = _as(client, mea).get(reverse("support:match_detail", args=[match.pk])).content.decode()
    assert "How the pair reaches you" in body and "Your MEA" not in body, "the MEA is not told about their own MEA"
    body = _as(client, coordinator).get(reverse("support:match_detail", args=[match.pk])).content.decode()
    assert "The MEA" in body and "Your first contact" not in body


def test_others_get_404_on_the_match_support_page(client, match, plain_member, other_group):
    for person in (plain_member, member("mea", match.group), member("coordinator", other_group), member("mentor", match.group)):
        assert _as(client, person).get(reverse("support:match_detail", args=[match.pk])).status_code == 404


def test_the_mea_records_a_check_in_and_the_next_due_date_moves(client, match, mea):
    before = MatchSupport.objects.get(match=match).next_due
    response = _as(client, mea).post(reverse("support:checkin_create", args=[match.pk]), {
        "with_whom": "both", "held_on": timezone.localdate().isoformat(), "rating": "4", "meetings_held": "2",
        "meetings_cancelled": "0", "to_celebrate": "They met every week", "worrying": "", "private_note": "fine",
    })
    assert response.status_code == 302
    after = MatchSupport.objects.get(match=match).next_due
    assert after > before and after == timezone.localdate() + timedelta(days=16)


def test_bad_check_in_input_changes_nothing(client, match, mea):
    response = _as(client, mea).post(reverse("support:checkin_create", args=[match.pk]), {"rating": "7", "with_whom": "x"})
    assert response.status_code == 200 and not CheckIn.objects.exists()


def test_only_the_matchs_mea_opens_the_check_in_form(client, match, coordinator, staff_user):
    for person in (match.mentor, match.mentee, coordinator, staff_user, member("mea", match.group)):
        assert _as(client, person).get(reverse("support:checkin_create", args=[match.pk])).status_code == 404


def test_check_ins_are_confidential_to_the_mea(client, match, mea, coordinator, staff_user):
    CheckIn.objects.create(match=match, mea=mea, rating=2, due_on=timezone.localdate(), private_note="SECRET-NOTE",
                           worrying="SECRET-WORRY")
    assert "SECRET-NOTE" in _as(client, mea).get(reverse("support:match_detail", args=[match.pk])).content.decode()
    for person in (match.mentor, match.mentee, coordinator, staff_user):
        body = _as(client, person).get(reverse("support:match_detail", args=[match.pk])).content.decode()
        assert "SECRET" not in body
        body = _as(client, person).get(reverse("home"), follow=True).content.decode()
        assert "SECRET" not in body


def test_a_worry_naming_a_situation_opens_a_concern_through_the_router(client, match, mea):
    from escalations.models import Concern

    response = _as(client, mea).post(reverse("support:checkin_create", args=[match.pk]), {
        "with_whom": "mentor", "held_on": timezone.localdate().isoformat(), "rating": "2", "meetings_held": "0",
        "meetings_cancelled": "3", "worrying": "They keep cancelling", "situations": ["communication"],
    })
    assert response.status_code == 302
    concern = Concern.objects.get(match=match)
    assert concern.situations == ["communication"] and concern.source == "checkin" and concern.reporter == mea


def test_the_mea_asks_and_the_mentee_answers_to_the_mea_only(client, match, mea, coordinator):
    _as(client, mea).post(reverse("support:request_create", args=[match.pk]), {"respondent": "mentee"})
    req = CheckInRequest.objects.get(match=match)
    assert req.respondent == match.mentee
    answer_url = reverse("support:request_answer", args=[req.pk])
    for person in (match.mentor, mea, coordinator):
        assert _as(client, person).get(answer_url).status_code == 404
    response = _as(client, match.mentee).post(answer_url, {"rating": "5", "to_celebrate": "PRIVATE-JOY"})
    assert response.status_code == 302
    detail = reverse("support:request_detail", args=[req.pk])
    assert "PRIVATE-JOY" in _as(client, mea).get(detail).content.decode()
    for person in (match.mentor, match.mentee, coordinator):
        assert _as(client, person).get(detail).status_code == 404
    assert _as(client, match.mentee).get(answer_url).status_code == 404, "answered once"


def test_only_the_mea_can_ask_for_a_self_check_in(client, match, coordinator):
    for person in (match.mentor, coordinator):
        response = _as(client, person).post(reverse("support:request_create", args=[match.pk]), {"respondent": "mentee"})
        assert response.status_code == 404
    assert not CheckInRequest.objects.exists()


def test_a_coordinator_assigns_the_suggested_mea_and_sees_the_caseload_message(client, group, coordinator, mea):
    match = MatchFactory(group=group, mentor=member("mentor", group), mentee=member("mentee", group))
    page = _as(client, coordinator).get(reverse("support:match_detail", args=[match.pk])).content.decode()
    assert "Suggested" in page
    client.post(reverse("support:assign_mea", args=[match.pk]), {"mea": mea.pk})
    match.refresh_from_db()
    assert match.mea == mea
    MEAProfileFactory(user=mea).__class__.objects.filter(user=mea).update(caseload_limit=1)
    other = MatchFactory(group=group, mentor=member("mentor", group), mentee=member("mentee", group))
    response = client.post(reverse("support:assign_mea", args=[other.pk]), {"mea": mea.pk}, follow=True)
    assert "their limit" in response.content.decode()
    other.refresh_from_db()
    assert other.mea is None


def test_people_who_do_not_coordinate_the_group_cannot_assign(client, match, mea, other_group):
    new_mea = member("mea", match.group)
    for person in (match.mentor, match.mentee, mea, member("coordinator", other_group)):
        assert _as(client, person).post(reverse("support:assign_mea", args=[match.pk]), {"mea": new_mea.pk}).status_code == 404
    match.refresh_from_db()
    assert match.mea == mea


def test_a_bad_mea_choice_shows_a_message_and_changes_nothing(client, match, coordinator, mea):
    response = _as(client, coordinator).post(reverse("support:assign_mea", args=[match.pk]), {"mea": "nope"}, follow=True)
    assert response.status_code == 200
    match.refresh_from_db()
    assert match.mea == mea


def test_the_pair_and_the_mea_add_milestones_others_cannot(client, match, mea, coordinator):
    url = reverse("support:milestone_create", args=[match.pk])
    for person in (match.mentor, match.mentee, mea):
        data = {"what": f"Win by {person.pk}", "happened_on": timezone.localdate().isoformat()}
        assert _as(client, person).post(url, data).status_code == 302
    assert _as(client, coordinator).post(url, {"what": "x", "happened_on": timezone.localdate().isoformat()}).status_code == 404
    assert Milestone.objects.count() == 3
    body = _as(client, match.mentee).get(reverse("support:match_detail", args=[match.pk])).content.decode()
    assert f"Win by {mea.pk}" in body
    assert f"Win by {match.mentor.pk}" in _as(client, mea).get(reverse("support:mea_home")).content.decode()


def test_the_mea_dashboard_lists_the_most_in_need_first_with_reasons(client, group, mea):
    today = timezone.localdate()
    calm = supported_match(group, mea, days_ago=40, next_due=today + timedelta(days=20), checkins_done=2, last_rating=5)
    overdue = supported_match(group, mea, days_ago=60, next_due=today - timedelta(days=10), checkins_done=2, last_rating=4)
    falling = supported_match(group, mea, days_ago=60, next_due=today + timedelta(days=10), checkins_done=3,
                              last_rating=2, prev_rating=4)
    for days in (5, 20, 40):  # cancelled in the portal: the pair's own records, not a typed count
        MeetingFactory(match=falling, status=Meeting.Status.CANCELLED, closed_at=timezone.now() - timedelta(days=days))
    new = supported_match(group, mea, days_ago=2)
    need_score_refresh([falling.pk])  # the cancelled meetings above were written directly, not by the service
    body = _as(client, mea).get(reverse("support:mea_home")).content.decode()
    positions = [body.index(f'href="/support/matches/{m.pk}/"') for m in (falling, overdue, new, calm)]
    assert positions == sorted(positions)
    for reason in ("overdue by 10 days", "Low rating (2/5)", "Rating falling (4 → 2)", "cancelled repeatedly",
                   "not checked in yet"):
        assert reason in body


def test_the_coordinator_dashboard_shows_their_groups_only(client, group, other_group, mea, coordinator):
    mine = supported_match(group, mea)
    theirs = supported_match(other_group, member("mea", other_group))
    body = _as(client, coordinator).get(reverse("support:coordinator_dashboard")).content.decode()
    assert f"/support/matches/{mine.pk}/" in body and f"/support/matches/{theirs.pk}/" not in body


def test_staff_see_compliance_per_mea(client, match, mea, staff_user):
    today = timezone.localdate()
    CheckIn.objects.create(match=match, mea=mea, rating=4, held_on=today - timedelta(days=3), due_on=today)
    CheckIn.objects.create(match=match, mea=mea, rating=4, held_on=today, due_on=today - timedelta(days=5))
    body = _as(client, staff_user).get(reverse("support:compliance")).content.decode()
    assert mea.email in body and "50%" in body


@pytest.mark.parametrize("url_name,allowed", [
    ("support:mea_home", "mea"), ("support:coordinator_dashboard", "coordinator"), ("support:compliance", "staff_user"),
])
def test_dashboards_refuse_other_roles_with_404(client, request, url_name, allowed):
    for role in ("mentor", "mentee", "mea", "coordinator", "staff_user", "plain_member"):
        user = request.getfixturevalue(role)
        status = _as(client, user).get(reverse(url_name)).status_code
        assert status == (200 if role == allowed else 404), (role, url_name)


def _grow(group, mea, n, start=0):
    from profiles.models import Profile, User

    users = User.objects.bulk_create([User(email=f"bulk{i}-{j}@example.org") for i in range(start, start + n) for j in (0, 1)])
    Profile.objects.bulk_create([Profile(user=u, display_name=u.email) for u in users])
    from matches.models import Match

    matches = Match.objects.bulk_create([
        Match(mentor=users[2 * i], mentee=users[2 * i + 1], group=group, mea=mea) for i in range(n)
    ])
    MatchSupport.objects.bulk_create([
        MatchSupport(match=m, next_due=timezone.localdate() - timedelta(days=i % 7), last_rating=i % 5 + 1)
        for i, m in enumerate(matches)
    ])
    Milestone.objects.bulk_create([Milestone(match=m, recorded_by=mea, what="win") for m in matches[:20]])
    CheckIn.objects.bulk_create([
        CheckIn(match=m, mea=mea, rating=3, due_on=timezone.localdate(), to_celebrate="yay") for m in matches[:20]
    ])


@pytest.mark.parametrize("url_name,who", [("support:mea_home", "mea"), ("support:coordinator_dashboard", "coordinator")])
def test_dashboard_query_count_is_the_same_at_10_and_1000_matches(client, request, group, mea, url_name, who,
                                                                     django_assert_max_num_queries):
    user = request.getfixturevalue(who)
    _as(client, user)
    _grow(group, mea, 10)
    checkin_request_create(match=MatchSupport.objects.first().match, by=mea, respondent=MatchSupport.objects.first().match.mentee)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse(url_name)).status_code == 200
    _grow(group, mea, 990, start=10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse(url_name))
    body = response.content.decode()
    assert response.status_code == 200 and "1,000 active matches" in body.replace("1000", "1,000")
    per_page = DASHBOARD_PAGE_SIZE if who == "mea" else COORDINATOR_PAGE_SIZE
    assert body.count('<tr') - 1 == per_page, "one page of rows, a link to the next"


def test_the_mea_says_how_to_reach_them_and_the_pair_sees_it(client, match, mea):
    response = _as(client, mea).post(reverse("support:mea_profile_edit"), {"how_to_reach": "Discord: mea-demo"})
    assert response.status_code == 302
    assert "Discord: mea-demo" in _as(client, match.mentor).get(reverse("support:match_detail", args=[match.pk])).content.decode()
    assert _as(client, match.mentor).get(reverse("support:mea_profile_edit")).status_code == 404


def test_a_match_with_an_open_concern_tops_the_mea_dashboard(client, group, mea):
    from support.services import checkin_record

    today = timezone.localdate()
    supported_match(group, mea, days_ago=60, next_due=today - timedelta(days=20), checkins_done=2)
    worried = supported_match(group, mea, days_ago=40, next_due=today + timedelta(days=10), checkins_done=2)
    checkin_record(match=worried, mea=mea, with_whom="mentor", rating=4, situations=["overwhelmed"],
                   worrying="The mentor feels stretched thin")
    body = _as(client, mea).get(reverse("support:mea_home")).content.decode()
    assert "1 open concern" in body
    assert body.index(f"/support/matches/{worried.pk}/") < body.index("overdue by 20 days")

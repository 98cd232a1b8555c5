"""The dashboard's ranking in SQL (need_annotations) gives every match the score
`_assess` gives it in Python, so the first page holds the most urgent matches;
and the dashboard pages through long lists, saying how many there are."""

import random
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from matches.models import Match
from matches.tests.factories import MatchFactory
from meetings.models import Meeting
from meetings.tests.factories import MeetingFactory
from profiles.tests.factories import member
from support.models import MatchSupport
from support.selectors import (
    DASHBOARD_PAGE_SIZE,
    Row,
    _assess,
    _support_of,
    dashboard_page,
    dashboard_rows,
    need_annotations,
)
from support.services import checkin_record, checkin_request_answer, checkin_request_create
from support.tests.factories import supported_match

pytestmark = pytest.mark.django_db


def varied_matches(group, mea, n, seed=7):
    """Matches in every state the score looks at, some without a support row yet."""
    rng = random.Random(seed)
    today = timezone.localdate()
    made = []
    for i in range(n):
        match = MatchFactory(group=group, mea=mea if i % 5 else None,
                             started_at=timezone.now() - timedelta(days=rng.randint(0, 200)))
        if i % 7:
            last = rng.choice([None, 1, 2, 3, 4, 5])
            MatchSupport.objects.create(
                match=match, next_due=today + timedelta(days=rng.randint(-90, 30)),
                checkins_done=rng.choice([0, 0, 1, 2, 5]), last_rating=last,
                prev_rating=rng.choice([None, 1, 3, 5]) if last else None,
                recent_cancellations=rng.choice([0, 1, 2, 3]),
            )
        made.append(match)
    return made


@pytest.mark.parametrize("for_coordinator", [False, True])
def test_the_sql_need_score_is_the_python_score_for_every_match(group, mea, coordinator, for_coordinator):
    matches = varied_matches(group, mea, 60)
    who = coordinator if for_coordinator else mea
    worried = matches[1]
    checkin_record(match=worried, mea=mea, with_whom="mentor", rating=4, situations=["overwhelmed"],
                   worrying="stretched thin")
    answered = matches[2]
    asked = checkin_request_create(match=answered, by=mea, respondent=answered.mentee)
    checkin_request_answer(request=asked, by=answered.mentee, rating=4)
    today = timezone.localdate()
    base = Match.objects.filter(group=group) if for_coordinator else Match.objects.filter(mea=mea)
    ranked = need_annotations(base.active().select_related("support"), who, for_coordinator=for_coordinator, today=today)
    checked = 0
    for match in ranked:
        row = Row(match=match, support=_support_of(match), open_concerns=match.open_concerns,
                  answers_waiting=match.answers_waiting)
        _assess(row, today, for_coordinator=for_coordinator)
        assert match.need == row.score, (match.pk, row.reasons)
        assert match.due == row.support.next_due
        checked += 1
    assert checked == base.active().count() > 40


def test_pages_hold_every_match_once_in_order_of_need(group, mea):
    varied_matches(group, mea, 2 * DASHBOARD_PAGE_SIZE + 3)
    base = Match.objects.filter(mea=mea)
    everything = dashboard_page(base, mea, per_page=10**6).rows
    seen = []
    page = dashboard_page(base, mea, page=1)
    assert page.total == len(everything) and page.num_pages == -(-len(everything) // DASHBOARD_PAGE_SIZE)
    while True:
        seen += [r.match.pk for r in page.rows]
        if not page.has_next:
            break
        page = dashboard_page(base, mea, page=page.next_page_number)
    assert seen == [r.match.pk for r in everything]
    scores = [r.score for r in everything]
    assert scores == sorted(scores, reverse=True)


def test_the_mea_dashboard_says_how_many_and_links_to_the_next_page(client, group, mea):
    varied_matches(group, mea, DASHBOARD_PAGE_SIZE + 12)
    total = Match.objects.filter(mea=mea).active().count()
    client.force_login(mea)
    body = client.get(reverse("support:mea_home")).content.decode()
    assert f"{total} active matches, most in need first." in body
    assert f"Showing 1–{DASHBOARD_PAGE_SIZE}." in body
    assert 'rel="next" href="?page=2"' in body and 'aria-current="page"' in body
    second = client.get(reverse("support:mea_home") + "?page=2").content.decode()
    assert f"Showing {DASHBOARD_PAGE_SIZE + 1}–{total}." in second and 'rel="prev" href="?page=1"' in second
    for junk in ("abc", "-3", "0", "99999", "1" * 40):
        response = client.get(reverse("support:mea_home"), {"page": junk})
        assert response.status_code == 200 and "Showing 1–" in response.content.decode(), junk


def test_a_short_list_has_no_page_links(client, group, mea):
    varied_matches(group, mea, 5)
    client.force_login(mea)
    body = client.get(reverse("support:mea_home")).content.decode()
    assert "most in need first." in body and 'rel="next"' not in body and "Showing" not in body


def test_meetings_cancelled_in_the_portal_move_a_match_up_the_mea_dashboard(group):
    """'Cancelled repeatedly' comes from the pair's meeting records, not from a typed count."""
    mea = member("mea", group)
    calm = supported_match(group, mea, days_ago=5)
    cancelling = supported_match(group, mea, days_ago=5)
    rows = dashboard_rows(Match.objects.filter(mea=mea), mea)
    assert [r.match for r in rows] == [calm, cancelling]  # the same need: the older id first
    for _ in range(2):
        MeetingFactory(match=cancelling, status=Meeting.Status.CANCELLED, closed_at=timezone.now() - timedelta(days=3))
    rows = dashboard_rows(Match.objects.filter(mea=mea), mea)
    assert [r.match for r in rows] == [cancelling, calm]
    assert any("cancelled repeatedly (2 lately)" in reason for reason in rows[0].reasons)

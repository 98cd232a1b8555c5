"""The dashboards' stored need score (support.need): the services that change its
inputs keep it equal to `assess`, the nightly task moves it on as days pass and
repairs drift; the dashboards page through it in order, reading their page
along an index."""

import logging
import random
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from escalations.services import concern_acknowledge, concern_resolve
from matches.models import Match
from matches.services import match_end
from matches.tests.factories import MatchFactory
from meetings.services import meeting_cancel
from meetings.tests.factories import MeetingFactory
from profiles.tests.factories import member
from support.models import MatchSupport
from support.need import (
    answers_waiting_by_match,
    assess,
    cancelled_by_match,
    mea_concerns_by_match,
    need_score_refresh,
    support_or_fresh,
)
from support.selectors import DASHBOARD_PAGE_SIZE, dashboard_page, dashboard_rows
from support.services import (
    checkin_record,
    checkin_request_answer,
    checkin_request_create,
    checkin_request_mark_read,
    match_mea_assign,
)
from support.tasks import need_scores_recompute
from support.tests.factories import supported_match

pytestmark = pytest.mark.django_db


def varied_matches(group, mea, n, seed=7):
    """Matches in every state the score looks at, some without a support row yet, scored."""
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
                pulse_last=rng.choice([None, 1, 2, 4, 5]), pulse_prev=rng.choice([None, 2, 5]),
            )
        made.append(match)
    need_score_refresh([m.pk for m in made])
    return made


def expected(match_id, today=None) -> int:
    """What `assess` says now, from the rows themselves."""
    match, today = Match.objects.select_related("support").get(pk=match_id), today or timezone.localdate()
    return assess(match, support_or_fresh(match), open_concerns=mea_concerns_by_match([match_id]).get(match_id, 0),
                  answers_waiting=answers_waiting_by_match([match_id]).get(match_id, 0),
                  cancelled_lately=cancelled_by_match([match_id], today).get(match_id, 0), today=today).score


def stored(match) -> int:
    return Match.objects.values_list("need_score", flat=True).get(pk=match.pk)


def test_each_service_that_changes_a_score_input_stores_the_new_score(group, mea, coordinator):
    match = MatchFactory(group=group, mea=None, started_at=timezone.now() - timedelta(days=40))
    need_score_refresh([match.pk])
    assert stored(match) == expected(match.pk) >= 50 + 25, "no MEA, never checked in"

    match_mea_assign(match=match, mea=mea, by=coordinator)
    assert stored(match) == expected(match.pk), "an MEA assigned: 50 fewer"

    checkin_record(match=match, mea=mea, with_whom="mentor", rating=1, situations=["overwhelmed"],
                   worrying="stretched thin")
    with_concern = stored(match)
    assert with_concern == expected(match.pk) >= 100 + 30, "a report opened from the check-in, and a low rating"

    asked = checkin_request_create(match=match, by=mea, respondent=match.mentee)
    checkin_request_answer(request=asked, by=match.mentee, rating=4)
    assert stored(match) == expected(match.pk) == with_concern + 10, "an answer waiting to be read"
    checkin_request_mark_read(asked, mea)
    assert stored(match) == expected(match.pk) == with_concern

    from escalations.models import Concern

    concern = Concern.objects.get(match=match)
    concern_acknowledge(concern, None)
    concern_resolve(concern, None, "talked it through")
    assert stored(match) == expected(match.pk) == with_concern - 100, "the report resolved"

    match_end(match_id=match.pk, by=match.mentor, reason="moved away")
    assert not dashboard_page(Match.objects.supported_by(mea), mea).rows, "an ended match leaves the dashboard"


def test_a_report_about_the_mea_does_not_raise_the_score_the_mea_sees(group, mea):
    from escalations.services import concern_raise

    match = MatchFactory(group=group, mea=mea)
    need_score_refresh([match.pk])
    before = stored(match)
    concern_raise(reporter=match.mentee, match=match, situations=["harassed"], about="mea", details="x")
    assert stored(match) == before, "the MEA may not know of a report about them, not even by its rank"


def test_the_nightly_task_moves_scores_on_as_days_pass_and_counts_the_drift_it_repairs(group, mea, caplog):
    today = timezone.localdate()
    due_today = MatchFactory(group=group, mea=mea)
    MatchSupport.objects.create(match=due_today, next_due=today, checkins_done=3)
    need_score_refresh([due_today.pk])
    assert stored(due_today) == 5, "due soon"
    drifted = MatchFactory(group=group, mea=mea)
    MatchSupport.objects.create(match=drifted, next_due=today + timedelta(days=20), checkins_done=2)
    need_score_refresh([drifted.pk])
    MatchSupport.objects.filter(match=drifted).update(last_rating=1)  # changed behind the services' back

    with caplog.at_level(logging.INFO, logger="support.need"):
        from unittest import mock

        with mock.patch("support.need.timezone.localdate", return_value=today + timedelta(days=1)):  # after midnight
            result = need_scores_recompute()
    assert result["drift_repaired"] == 1 and result["rescored"] == 2
    assert stored(due_today) == expected(due_today.pk, today + timedelta(days=1)) == 40 + 1, "now overdue"
    assert stored(drifted) == expected(drifted.pk, today + timedelta(days=1)) == 30
    (record,) = [r for r in caplog.records if r.name == "support.need"]
    assert "1 had drifted" in record.getMessage() and "@" not in record.getMessage(), "counts, no one named"


@pytest.mark.postgres
@pytest.mark.parametrize(("url", "who", "index"), [
    ("support:mea_home", "mea", "match_mea_need"),
    ("support:coordinator_dashboard", "coordinator", "match_group_need"),
])
def test_the_dashboards_read_their_page_along_the_need_index_not_by_ranking_every_match(
    client, group, mea, coordinator, url, who, index
):
    for _ in range(DASHBOARD_PAGE_SIZE + 3):
        MatchFactory(group=group, mea=mea)
    client.force_login({"mea": mea, "coordinator": coordinator}[who])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(url)).status_code == 200
    page_sql = next(q["sql"] for q in queries.captured_queries
                    if q["sql"].startswith('SELECT "matches_match"."id"') and "need_score" in q["sql"]
                    and "LIMIT" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny test table would otherwise be scanned
        cursor.execute("EXPLAIN " + page_sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan, plan
    assert "Sort" not in plan, plan


def test_pages_hold_every_match_once_in_order_of_need(group, mea):
    varied_matches(group, mea, 2 * DASHBOARD_PAGE_SIZE + 3)
    base = Match.objects.filter(mea=mea)
    everything = dashboard_page(base, mea, per_page=10**6).rows
    seen = []
    page = dashboard_page(base, mea, page=1)
    assert page.paginator.count == len(everything)
    assert page.paginator.num_pages == -(-len(everything) // DASHBOARD_PAGE_SIZE)
    while True:
        seen += [r.match.pk for r in page.rows]
        if not page.has_next():
            break
        page = dashboard_page(base, mea, page=page.next_page_number())
    assert seen == [r.match.pk for r in everything]
    scores = [stored(r.match) for r in everything]
    assert scores == sorted(scores, reverse=True)
    assert [r.score for r in everything] == scores, "the reasons shown add up to the stored score"


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
    for junk in ("abc", ""):
        response = client.get(reverse("support:mea_home"), {"page": junk})
        assert response.status_code == 200 and "Showing 1–" in response.content.decode(), junk
    for past_the_end in ("-3", "0", "99999", "1" * 40):
        response = client.get(reverse("support:mea_home"), {"page": past_the_end})
        assert response.status_code == 200 and f"Showing {DASHBOARD_PAGE_SIZE + 1}–" in response.content.decode()


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
    need_score_refresh([calm.pk, cancelling.pk])
    rows = dashboard_rows(Match.objects.filter(mea=mea), mea)
    assert [r.match for r in rows] == [calm, cancelling]  # the same need: the older id first
    for _ in range(2):
        meeting = MeetingFactory(match=cancelling, starts_at=timezone.now() + timedelta(days=3))
        meeting_cancel(meeting=meeting, by=cancelling.mentee)
    rows = dashboard_rows(Match.objects.filter(mea=mea), mea)
    assert [r.match for r in rows] == [cancelling, calm]
    assert any("cancelled repeatedly (2 lately)" in reason for reason in rows[0].reasons)


def test_open_concerns_stand_out_on_the_mea_dashboard_and_link_to_the_inbox(client, group, mea):
    """Not the same pill as "Rating falling": a danger badge that opens the MEA's report inbox."""
    from escalations.services import concern_raise

    match = MatchFactory(group=group, mea=mea)
    concern_raise(reporter=match.mentor, match=match, situations=["communication"], about="mentee", details="x")
    client.force_login(mea)
    html = client.get(reverse("support:mea_home")).content.decode()
    assert f'<a class="badge text-bg-danger me-1" href="{reverse("escalations:inbox")}">1 open concern</a>' in html

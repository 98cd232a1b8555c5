"""The MEA dashboard's "To celebrate" and the mentor home's list of mentees read about
as many rows for 2,000 matches as for 10.

The sample program (mentorship.sample_program, as in test_query_budgets) with
something to celebrate in every active match, then Postgres statistics (ANALYZE,
as autovacuum would have them) and EXPLAIN ANALYZE of the query for the probe MEA
of 2,000 matches. Looking up the newest rows of every match of the caseload (2,000
index probes) or reading a whole table fails; walking each source's date index and
stopping after 15 of the caseload passes. No timing here: `make bench` times pages.
"""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings.models import Goal
from mentorship.sample_program import probe_email
from profiles.models import User
from support.models import CheckIn, CheckInRequest, Milestone
from support.selectors import CELEBRATE_DAYS, celebrations

from .test_query_budgets import program

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

SOURCES = ("support_milestone", "support_checkin", "support_checkinrequest", "meetings_goal")


def something_to_celebrate_everywhere() -> None:
    """A milestone and a goal reached in every active match, every check-in and every self check-in
    with something to celebrate, their days spread over the last 40 (all within CELEBRATE_DAYS); and
    as a program that has run a while, ten older milestones and goals of every match (a year back)."""
    assert CELEBRATE_DAYS > 40
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO support_milestone (match_id, recorded_by_id, what, happened_on, created_at)"
            " SELECT id, mentor_id, 'First month together', %s::date - (id %% 40)::int, now()"
            " FROM matches_match WHERE status = 'active'", [timezone.localdate()])
        cursor.execute(
            "INSERT INTO meetings_goal (match_id, written_by_id, text, progress, status, celebration, created_at,"
            " updated_at, reached_at) SELECT id, mentee_id, 'Walk every morning', 100, 'reached', '', now(), now(),"
            " now() - (id %% 40) * interval '1 day' FROM matches_match WHERE status = 'active'", [])
        cursor.execute(
            "INSERT INTO support_milestone (match_id, recorded_by_id, what, happened_on, created_at)"
            " SELECT id, mentor_id, 'Earlier', %s::date - 100 - k * 25, now()"
            " FROM matches_match, generate_series(1, 10) AS k", [timezone.localdate()])
        cursor.execute(
            "INSERT INTO meetings_goal (match_id, written_by_id, text, progress, status, celebration, created_at,"
            " updated_at, reached_at) SELECT id, mentee_id, 'Earlier', 100, 'reached', '', now(), now(),"
            " now() - (100 + k * 25) * interval '1 day' FROM matches_match, generate_series(1, 10) AS k", [])
        cursor.execute("UPDATE support_checkin SET to_celebrate = 'They met every week'")
        cursor.execute(
            "UPDATE support_checkinrequest SET status = 'answered', rating = 4, to_celebrate = 'A good month',"
            " answered_at = now() - (id %% 40) * interval '1 day'", [])
        cursor.execute("ANALYZE")


def newest_days(mea, n: int) -> list:
    """The days of the n newest things to celebrate in the MEA's active matches, read plainly (every row)."""
    since = timezone.localdate() - timedelta(days=CELEBRATE_DAYS)
    theirs = {"match__mea": mea, "match__status": "active"}
    days = list(Milestone.objects.visible_to(mea).filter(**theirs, happened_on__gte=since).values_list("happened_on", flat=True))
    days += CheckIn.objects.visible_to(mea).filter(**theirs, held_on__gte=since).exclude(to_celebrate="").values_list(
        "held_on", flat=True)
    days += [timezone.localdate(t) for t in CheckInRequest.objects.visible_to(mea).filter(
        **theirs, status="answered").exclude(to_celebrate="").values_list("answered_at", flat=True)]
    days += [timezone.localdate(t) for t in Goal.objects.visible_to(mea).filter(**theirs, status="reached").values_list(
        "reached_at", flat=True)]
    return sorted((d for d in days if d >= since), reverse=True)[:n]


def rows_read(plan: dict, into: dict) -> dict:
    """Per table: the rows every node of the plan read from it (returned and filtered out), over all its loops."""
    table = plan.get("Relation Name")
    if table:
        per_loop = plan["Actual Rows"] + plan.get("Rows Removed by Filter", 0) + plan.get("Rows Removed by Index Recheck", 0)
        into[table] = into.get(table, 0) + per_loop * plan["Actual Loops"]
    for child in plan.get("Plans", []):
        rows_read(child, into)
    return into


def rows_read_by(sql: str) -> dict:
    """rows_read of EXPLAIN ANALYZE of `sql`, with the plan itself (its start) for a failure's message."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return rows_read(plan[0]["Plan"], {"plan": json.dumps(plan, indent=1)[:6000]})


def rows_read_to_celebrate(mea) -> dict:
    with CaptureQueriesContext(connection) as ctx:
        shown = celebrations(mea, as_mea=True)
    assert shown and [c.on for c in shown] == newest_days(mea, 15)  # the same newest 15 as reading every row
    (sql,) = [q["sql"] for q in ctx.captured_queries if "support_milestone" in q["sql"]]
    return rows_read_by(sql)


def test_to_celebrate_reads_as_many_rows_for_a_caseload_of_2000_as_for_one_of_10():
    program(1000)  # with the probe people: an MEA of 10 matches and one of 2,000
    something_to_celebrate_everywhere()
    small, large = (User.objects.get(email=probe_email(f"mea-{size}")) for size in ("small", "large"))
    for source in ("milestones", "checkins"):  # a long list to celebrate in
        assert large.mea_matches.filter(status="active", **{f"{source}__isnull": False}).distinct().count() >= 1500
    read = {"small": rows_read_to_celebrate(small), "large": rows_read_to_celebrate(large)}
    for table in SOURCES:
        assert read["large"].get(table, 0) <= read["small"].get(table, 0) + 300, (
            f"{table}: {read['large'].get(table)} rows read for the 15 newest in a caseload of 2,000, "
            f"{read['small'].get(table)} in one of 10 (a look-up per match, or the whole table?)\n{read['large']['plan']}")


def rows_read_listing_mentees(client, mentor) -> dict:
    """Rows read by the mentor home's query of their current mentees (it carries each match's MEA contact)."""
    client.force_login(mentor)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("matches:mentor_home")).status_code == 200
    (sql,) = [q["sql"] for q in ctx.captured_queries if "how_to_reach" in q["sql"]]
    return rows_read_by(sql)


def test_the_mentor_home_reads_a_page_of_matches_for_2000_mentees_as_for_10(client):
    """The MEA's contact line is checked against the viewer's matches of that one MEA, not against
    every match the mentor can see (a hashed list of 2,000 built for each page)."""
    program(1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    small, large = (User.objects.get(email=probe_email(f"mentor-{size}")) for size in ("small", "large"))
    assert large.mentor_matches.filter(status="active").count() == 2000
    read = {"small": rows_read_listing_mentees(client, small), "large": rows_read_listing_mentees(client, large)}
    assert read["large"].get("matches_match", 0) <= read["small"].get("matches_match", 0) + 100, (
        f"matches_match: {read['large'].get('matches_match')} rows read for a page of 10 of 2,000 mentees, "
        f"{read['small'].get('matches_match')} for 10\n{read['large']['plan']}")

"""The pairing board's stored waiting-since (matches.waiting): kept by the services
that change it, repaired nightly, and the board reads its page along its index."""

import logging
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matches.models import MenteeWaiting
from matches.selectors import waiting_mentees
from matches.services import match_end
from matches.tasks import waiting_since_recompute
from matches.tests.factories import MatchFactory
from profiles.tests.factories import member

pytestmark = pytest.mark.django_db


def since(user):
    return MenteeWaiting.objects.get(mentee=user).since


def test_a_new_mentee_waits_from_their_role_and_again_from_their_match_ending(group):
    mentee = member("mentee", group)
    granted = mentee.role_grants.get(role="mentee").started_at
    assert since(mentee) == granted
    match = MatchFactory(group=group, mentee=mentee, started_at=timezone.now() - timedelta(days=30))
    assert mentee not in waiting_mentees([group.pk])
    ended = match_end(match_id=match.pk, by=match.mentor, reason="moved away")
    assert since(mentee) == ended.ended_at > granted
    assert [m.waiting_since for m in waiting_mentees([group.pk]) if m.pk == mentee.pk] == [ended.ended_at]


def test_the_board_lists_the_longest_waiting_first(client, group, coordinator):
    first, second, third = (member("mentee", group) for _ in range(3))
    now = timezone.now()
    for person, days in ((first, 30), (second, 3), (third, 12)):
        MenteeWaiting.objects.filter(mentee=person).update(since=now - timedelta(days=days))
    assert list(waiting_mentees([group.pk])) == [first, third, second]
    client.force_login(coordinator)
    body = client.get(reverse("matches:coordinator_home")).content.decode()
    assert body.index(first.display_name) < body.index(third.display_name) < body.index(second.display_name)


def test_the_nightly_task_repairs_drift_and_says_how_many_without_names(group, caplog):
    kept, lost = member("mentee", group), member("mentee", group)
    MenteeWaiting.objects.filter(mentee=lost).delete()  # written behind the services' back
    with caplog.at_level(logging.INFO, logger="matches.waiting"):
        result = waiting_since_recompute()
    assert result["drift_repaired"] == 1
    assert since(lost) == lost.role_grants.get(role="mentee").started_at and since(kept)
    (record,) = [r for r in caplog.records if r.name == "matches.waiting"]
    assert "1 had drifted" in record.getMessage() and "@" not in record.getMessage()
    assert waiting_since_recompute()["drift_repaired"] == 0


@pytest.mark.postgres
def test_the_pairing_board_reads_its_waiting_page_along_the_waiting_since_index(client, group, coordinator):
    for _ in range(3):
        member("mentee", group)
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("matches:coordinator_home")).status_code == 200
    page_sql = next(q["sql"] for q in queries.captured_queries
                    if '"matches_menteewaiting"."since"' in q["sql"] and "LIMIT" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny test table would otherwise be scanned
        # Three rows make any join order look free: with sorting priced out, the plan shows whether
        # the page CAN be read in order along an index (without the index it still sorts).
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + page_sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "mentee_waiting_group_since" in plan, plan
    assert "Sort" not in plan, plan
    # The total is counted on the same index, never by reading every waiting mentee's person.
    count_sql = next(q["sql"] for q in queries.captured_queries if 'COUNT(U0."mentee_id")' in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + count_sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "mentee_waiting_group_since" in plan and "profiles_membership" not in plan, plan


def test_a_row_exists_only_while_the_mentee_waits_in_a_group_they_belong_to(group, other_group, coordinator):
    from matches import services
    from matches.tests.factories import approved_mentor
    from support.members import member_remove

    mentee = member("mentee", group)
    assert list(MenteeWaiting.objects.filter(mentee=mentee).values_list("group_id", flat=True)) == [group.pk]
    mentor = approved_mentor(group)
    proposal = services.proposal_create(mentor=mentor, mentee=mentee, by=mentor, kind="mentor", confirm_not_close=True)
    services.proposal_accept(proposal_id=proposal.pk, by=mentee, confirm_not_close=True)
    assert not MenteeWaiting.objects.filter(mentee=mentee).exists()  # matched: no longer waiting
    match = mentee.mentee_matches.get()
    services.match_end(match_id=match.pk, by=mentee, reason="moved away")
    assert MenteeWaiting.objects.filter(mentee=mentee, group=group).exists()
    member_remove(user=mentee, group=group, by=coordinator)
    assert not MenteeWaiting.objects.filter(mentee=mentee).exists()


def test_a_mentee_in_two_of_the_coordinators_groups_is_listed_and_counted_once(client, group, other_group, coordinator):
    from profiles.joining_services import member_add

    both = member("mentee", group)
    member_add(user=both, group=other_group, role="mentee", by=None)  # joins a second group as a mentee too
    member_add(user=coordinator, group=other_group, role="coordinator", by=None)
    assert MenteeWaiting.objects.filter(mentee=both).count() == 2
    client.force_login(coordinator)
    board = client.get(reverse("matches:coordinator_home")).context["board"]
    assert [m.pk for m in board.waiting] == [both.pk] and board.waiting_total == 1


def test_the_board_shows_the_waiting_a_page_at_a_time_longest_waiting_first(client, group, coordinator):
    from matches.selectors import WAITING_PAGE_SIZE

    people = [member("mentee", group) for _ in range(WAITING_PAGE_SIZE + 2)]
    client.force_login(coordinator)
    first = client.get(reverse("matches:coordinator_home")).context["board"]
    second = client.get(reverse("matches:coordinator_home"), {"waiting": 2}).context["board"]
    assert first.waiting_total == second.waiting_total == len(people)
    assert [m.pk for m in first.waiting + second.waiting] == [p.pk for p in people], "each once, in order"
    assert len(first.waiting) == WAITING_PAGE_SIZE and first.waiting_page.has_next()

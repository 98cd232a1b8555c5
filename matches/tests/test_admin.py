import pytest
from django.urls import reverse

from matches.tests.factories import MatchFactory, MentorApplicationFactory, ProposalFactory, approved_mentor
from profiles.models import Role
from profiles.tests.factories import member

pytestmark = pytest.mark.django_db

MODELS = ["match", "proposal", "mentorapplication", "mentorprofile", "menteepreference", "matchevent", "usedlink"]


def test_staff_see_every_matching_list_with_filters_and_no_add_button(client, group, staff_user, mentee):
    mentor = approved_mentor(group)
    match = MatchFactory(mentor=mentor, mentee=mentee, group=group)
    ProposalFactory(mentor=mentor, mentee=member(Role.MENTEE, group), group=group)
    MentorApplicationFactory(applicant=member(None, group), group=group)
    client.force_login(staff_user)
    for model in MODELS:
        response = client.get(reverse(f"admin:matches_{model}_changelist"), {"age": "7d"})
        assert response.status_code == 200, model
    body = client.get(reverse("admin:matches_match_changelist"), {"status__exact": "active"}).content.decode()
    assert mentor.display_name in body and "Add match" not in body
    assert client.get(reverse("admin:matches_match_change", args=[match.pk])).status_code == 200


def test_coordinators_and_mentors_cannot_open_the_matching_admin(client, coordinator, mentor):
    for user in (coordinator, mentor):
        client.force_login(user)
        response = client.get(reverse("admin:matches_match_changelist"))
        assert response.status_code in (302, 403, 404)
        assert "Add match" not in response.content.decode()


@pytest.mark.postgres
def test_the_staff_match_list_reads_its_page_along_an_index_not_by_sorting_every_match(
    client, group, staff_user, monkeypatch
):
    from django.contrib import admin
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from matches.models import Match

    for _ in range(3):
        MatchFactory(group=group)
    monkeypatch.setattr(admin.site._registry[Match], "list_per_page", 2)  # more than one page, as at scale
    client.force_login(staff_user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("admin:matches_match_changelist")).status_code == 200
    page_sql = next(q["sql"] for q in queries.captured_queries
                    if q["sql"].startswith('SELECT "matches_match"."id"') and "ORDER BY" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny test table would otherwise be scanned
        cursor.execute("EXPLAIN " + page_sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "match_started_desc" in plan, plan
    assert "Sort" not in plan, plan

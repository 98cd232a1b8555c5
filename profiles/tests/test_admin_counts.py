"""The admin's cheap counting and name filters (profiles.admin_access, profiles.admin_filters).

On Postgres: the whole-table count is the planner's estimate once the table is
big (here "big" is lowered to a few rows and the table ANALYZEd), exact below;
a filtered count stops early and then uses the planner's estimate.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from profiles.admin_access import EstimatedCountPaginator
from profiles.models import Membership, RoleGrant, SupportGroup, Topic
from profiles.tests.factories import SupportGroupFactory, member

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


class SmallPaginator(EstimatedCountPaginator):
    exact_below = 5


def topics(n: int) -> None:
    Topic.objects.bulk_create(Topic(name=f"Topic {i}", slug=f"topic-{i}") for i in range(n))


def analyze(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def counted(paginator) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        count = paginator.count
    return count, len(ctx.captured_queries)


def test_a_small_table_is_counted_exactly_in_one_query():
    topics(3)
    analyze("profiles_topic")
    assert counted(SmallPaginator(Topic.objects.all(), 2)) == (3, 1)


def test_a_table_never_analysed_is_counted_exactly():
    topics(12)  # reltuples is still -1 (unknown) or 0: the exact count answers
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'profiles_topic'::regclass")
        assert cursor.fetchone()[0] < 5
    assert counted(SmallPaginator(Topic.objects.all(), 2)) == (12, 1)


def test_a_big_table_is_not_counted_the_estimate_answers():
    topics(40)
    analyze("profiles_topic")
    Topic.objects.filter(name="Topic 0").delete()  # the estimate lags behind: it is an estimate
    count, n = counted(SmallPaginator(Topic.objects.all(), 10))
    assert (count, n) == (40, 1)
    assert SmallPaginator(Topic.objects.all(), 10).num_pages == 4


def test_a_filtered_list_is_counted_exactly_up_to_the_limit():
    topics(20)
    analyze("profiles_topic")
    assert counted(SmallPaginator(Topic.objects.filter(name__in=["Topic 1", "Topic 2"]), 10)) == (2, 1)
    # Past the limit: counting stops at limit + 1 rows, and the planner's estimate answers.
    count, n = counted(SmallPaginator(Topic.objects.filter(name__startswith="Topic"), 10))
    assert n == 2 and count >= 6
    assert count == pytest.approx(20, rel=0.5)


def test_the_default_limit_is_exact_for_the_lists_tests_see():
    topics(30)
    analyze("profiles_topic")
    assert EstimatedCountPaginator(Topic.objects.all(), 10).count == 30
    assert EstimatedCountPaginator(Topic.objects.filter(slug__endswith="1"), 10).count == 3


def test_the_group_filter_takes_a_name_and_keeps_the_other_filters(client, staff_user):
    north, south = SupportGroupFactory(name="North Riverside"), SupportGroupFactory(name="South Hills")
    in_north, in_south = member("coordinator", north), member("coordinator", south)
    client.force_login(staff_user)
    url = reverse("admin:profiles_rolegrant_changelist")

    page = client.get(url, {"group": "riverside", "role__exact": "coordinator"})
    assert page.status_code == 200
    shown = {grant.user_id for grant in page.context["cl"].result_list}
    assert in_north.pk in shown and in_south.pk not in shown
    html = page.content.decode()
    assert 'name="group" value="riverside"' in html  # the typed name stays in the box
    assert '<input type="hidden" name="role__exact" value="coordinator">' in html  # the other filter stays on
    assert "South Hills" not in html  # the groups are not listed in the sidebar

    page = client.get(url, {"group": "nowhere"})
    assert page.status_code == 200 and list(page.context["cl"].result_list) == []
    assert SupportGroup.objects.count() >= 2 and RoleGrant.objects.count() >= 2


def test_the_group_filter_through_memberships_lists_each_person_once(client, staff_user):
    a, b = SupportGroupFactory(name="Alpha Circle"), SupportGroupFactory(name="Alpha Ring")
    mentor = member("mentor", a)
    Membership.objects.create(user=mentor, group=b)  # in two groups that both match "alpha"
    from matches.models import MentorProfile

    MentorProfile.objects.get_or_create(user=mentor)
    client.force_login(staff_user)
    page = client.get(reverse("admin:matches_mentorprofile_changelist"), {"group": "alpha"})
    assert page.status_code == 200
    assert [p.user_id for p in page.context["cl"].result_list] == [mentor.pk]


def test_the_selection_box_is_drawn_as_django_draws_it(client, admin_user):
    topics(1)
    topic = Topic.objects.get()
    client.force_login(admin_user)
    html = client.get(reverse("admin:profiles_topic_changelist")).content.decode()
    assert (f'<input type="checkbox" name="_selected_action" value="{topic.pk}" class="action-select" '
            f'aria-label="Select this object for an action - {topic}">') in html
    assert 'id="action-toggle"' in html

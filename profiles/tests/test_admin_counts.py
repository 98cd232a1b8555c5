"""The admin's name filters and selection boxes (profiles.admin_access, profiles.admin_filters)."""

import pytest
from django.urls import reverse

from profiles.models import Membership, RoleGrant, SupportGroup, Topic
from profiles.tests.factories import SupportGroupFactory, member

pytestmark = pytest.mark.django_db


def topics(n: int) -> None:
    Topic.objects.bulk_create(Topic(name=f"Topic {i}", slug=f"topic-{i}") for i in range(n))


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

"""The pairing board and the suggestion list run the same number of queries at
10 and 1,000 rows (a query per row would fail)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matches.models import MentorApplication, MentorProfile, Proposal
from matches.waiting import waiting_since_refresh
from profiles.models import Membership, Profile, Role, RoleGrant, User
from profiles.tests.factories import TopicFactory

pytestmark = pytest.mark.django_db
BUDGET = 30


def bulk_people(group, n: int, role: str, topics) -> list[User]:
    start = User.objects.count()
    users = User.objects.bulk_create([User(email=f"{role}{start + i}@bulk.example.org") for i in range(n)])
    Profile.objects.bulk_create([Profile(user=u, display_name=f"{role} {u.pk}", connect_text=bool(i % 2))
                                 for i, u in enumerate(users)])
    Membership.objects.bulk_create([Membership(user=u, group=group) for u in users])
    RoleGrant.objects.bulk_create([RoleGrant(user=u, role=role) for u in users])
    through = Profile.topics.through
    profiles = Profile.objects.filter(user__in=users)
    through.objects.bulk_create([through(profile=p, topic=t) for p in profiles for t in topics])
    return users


def world(group, n: int):
    topics = [TopicFactory(), TopicFactory()]
    mentees = bulk_people(group, n, Role.MENTEE, topics)
    mentors = bulk_people(group, n, Role.MENTOR, topics)
    MentorProfile.objects.bulk_create([MentorProfile(user=u, capacity=3) for u in mentors])
    expires = timezone.now() + timedelta(days=3)
    Proposal.objects.bulk_create([Proposal(mentor=b, mentee=a, group=group, initiated_by="coordinator",
                                           expires_at=expires) for a, b in zip(mentees, mentors, strict=True)])
    app = MentorApplication.objects.bulk_create([MentorApplication(applicant=u, group=group, months_in_group=12,
                                                                   qualities=["presence"]) for u in mentees])
    MentorApplication.topics.through.objects.bulk_create(
        [MentorApplication.topics.through(mentorapplication=a, topic=topics[0]) for a in app])
    waiting_since_refresh([m.pk for m in mentees])  # written directly: stored as the nightly repair would
    return mentees


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["board", "suggestions"])
def test_the_page_runs_the_same_queries_at_10_and_1000_rows(client, group, coordinator, page,
                                                            django_assert_max_num_queries):
    client.force_login(coordinator)
    mentees = world(group, 10)
    url = reverse("matches:coordinator_home") if page == "board" else reverse("matches:suggestions",
                                                                               args=[mentees[0].pk])
    small = count(client, url)
    world(group, 990)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert response.status_code == 200
    assert small <= BUDGET

"""Portal notices: each person reads, opens and clears only their own."""

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notice
from profiles.models import Role
from profiles.tests.factories import member

pytestmark = pytest.mark.django_db


def test_the_navigation_badge_counts_only_my_unread_notices(client, group):
    person = member(Role.MENTEE, group)
    Notice.objects.create(user=person, title="one")
    Notice.objects.create(user=person, title="two")
    Notice.objects.create(user=person, title="read", read_at=timezone.now())
    Notice.objects.create(user=member(Role.MENTEE, group), title="someone else's")
    client.force_login(person)
    response = client.get(reverse("profiles:me"))
    assert response.status_code == 200
    assert response.context["unread_notifications"]() == 2


def test_a_member_opens_their_notice_and_it_is_marked_read(client, group):
    person = member(Role.MENTEE, group)
    notice = Notice.objects.create(user=person, title="A check-in is due", url="/support/")
    client.force_login(person)
    assert b"A check-in is due" in client.get(reverse("notifications:list")).content
    response = client.post(reverse("notifications:open", args=[notice.pk]))
    assert response.status_code == 302 and response["Location"] == "/support/"
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_someone_else_cannot_open_or_see_a_notice(client, group):
    notice = Notice.objects.create(user=member(Role.MENTEE, group), title="Not yours", url="/")
    client.force_login(member(Role.MENTOR, group))
    assert b"Not yours" not in client.get(reverse("notifications:list")).content
    assert client.post(reverse("notifications:open", args=[notice.pk])).status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_a_notice_never_sends_its_reader_to_another_site(client, group):
    person = member(Role.MENTEE, group)
    notice = Notice.objects.create(user=person, title="odd", url="https://elsewhere.example/")
    client.force_login(person)
    assert client.post(reverse("notifications:open", args=[notice.pk]))["Location"] == reverse("notifications:list")

"""A double submit saves one row even when the two requests arrive at the same moment
(two tabs, a double click on a slow connection): real threads, each with its own
Postgres connection and transaction, released together."""

from datetime import timedelta
from functools import partial

import pytest
from django.db import transaction

from community import services as community
from community.models import ChatPost
from escalations import services as escalations
from escalations.models import Concern, ConcernEvent
from matches.tests.factories import MatchFactory
from profiles.models import Role
from profiles.resubmit import RESUBMIT_WINDOW, resubmitted
from profiles.tests.concurrency import run_together
from profiles.tests.factories import SupportGroupFactory, member

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS, TABS = 3, 4


def test_a_post_sent_from_several_tabs_at_once_is_one_post():
    for _ in range(ROUNDS):
        group = SupportGroupFactory()
        author = member(Role.MENTEE, group)
        send = partial(community.post_create, author=author, group=group, kind="offer", title="Here", body="Hi")
        results = run_together(*[send] * TABS)
        assert ChatPost.objects.filter(author=author).count() == 1
        assert len({post.pk for post in results}) == 1


def test_a_report_sent_from_several_tabs_at_once_is_one_report_told_once():
    for _ in range(ROUNDS):
        group = SupportGroupFactory()
        match = MatchFactory(mentor=member(Role.MENTOR, group), mentee=member(Role.MENTEE, group), group=group,
                             mea=member(Role.MEA, group))
        send = partial(escalations.concern_raise, reporter=match.mentor, match=match, situations=["relational"],
                       about="mentee", details="We argue")
        run_together(*[send] * TABS)
        assert Concern.objects.filter(match=match).count() == 1
        assert ConcernEvent.objects.filter(concern__match=match).count() == 1


def test_the_same_words_after_the_window_are_a_new_row_and_other_words_at_once_too():
    group = SupportGroupFactory()
    author = member(Role.MENTEE, group)
    first = community.post_create(author=author, group=group, kind="offer", title="Here", body="Hi")
    assert community.post_create(author=author, group=group, kind="offer", title="Here", body="Hi") == first
    assert community.post_create(author=author, group=group, kind="offer", title="Here", body="Hi!") != first
    ChatPost.objects.filter(pk=first.pk).update(created_at=first.created_at - RESUBMIT_WINDOW - timedelta(seconds=1))
    assert community.post_create(author=author, group=group, kind="offer", title="Here", body="Hi") != first
    assert ChatPost.objects.filter(author=author).count() == 3


def test_resubmitted_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError):
        resubmitted("x", ChatPost.objects.all())
    with transaction.atomic():
        assert resubmitted("x", ChatPost.objects.none()) is None

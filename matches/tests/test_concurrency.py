"""Invariants under real concurrent requests on Postgres: each thread has its
own database connection and transaction, and all start together (a barrier)."""

from functools import partial

import pytest

from matches import services
from matches.models import Match, MentorProfile, Proposal
from matches.services import MatchingError
from matches.tests.factories import approved_mentor
from profiles.models import Role
from profiles.tests.concurrency import run_together as together
from profiles.tests.factories import SupportGroupFactory, member

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

K = Proposal.Kind
ROUNDS = 5


def run_together(*calls):
    """run_together where a refused step (MatchingError) is an answer, not a failure."""
    return together(*calls, expected=(MatchingError,))


def test_two_proposals_for_one_mentee_accepted_at_once_make_one_active_match():
    for _ in range(ROUNDS):
        group = SupportGroupFactory()
        mentee = member(Role.MENTEE, group)
        proposals = [
            services.proposal_create(mentor=m, mentee=mentee, by=m, kind=K.MENTOR, confirm_not_close=True)
            for m in (approved_mentor(group), approved_mentor(group))
        ]
        results = run_together(*[
            partial(services.proposal_accept, proposal_id=p.pk, by=mentee, confirm_not_close=True) for p in proposals
        ])
        assert Match.objects.active().filter(mentee=mentee).count() == 1
        assert sum(isinstance(r, MatchingError) for r in results) == 1
        assert "already has a mentor" in next(r for r in results if isinstance(r, MatchingError)).text


def test_a_mentor_with_room_for_one_accepting_several_mentees_at_once_gets_one_match():
    for _ in range(ROUNDS):
        group = SupportGroupFactory()
        mentor = approved_mentor(group, capacity=1)
        mentees = [member(Role.MENTEE, group) for _ in range(4)]
        proposals = [
            services.proposal_create(mentor=mentor, mentee=m, by=m, kind=K.MENTEE, confirm_not_close=True)
            for m in mentees
        ]
        results = run_together(*[
            partial(services.proposal_accept, proposal_id=p.pk, by=mentor, confirm_not_close=True) for p in proposals
        ])
        assert Match.objects.active().filter(mentor=mentor).count() == 1
        assert "no room" in next(r for r in results if isinstance(r, MatchingError)).text


def test_the_same_proposal_accepted_twice_at_once_is_accepted_once():
    for _ in range(ROUNDS):
        group = SupportGroupFactory()
        mentor, mentee = approved_mentor(group), member(Role.MENTEE, group)
        p = services.proposal_create(mentor=mentor, mentee=mentee, by=mentor, kind=K.MENTOR, confirm_not_close=True)
        accept = partial(services.proposal_accept, proposal_id=p.pk, by=mentee, confirm_not_close=True)
        results = run_together(accept, accept)
        assert Match.objects.filter(mentee=mentee).count() == 1
        assert sum(isinstance(r, MatchingError) for r in results) == 1


def test_a_mentor_pausing_while_a_mentee_asks_never_keeps_an_open_proposal():
    for _ in range(ROUNDS):
        group = SupportGroupFactory()
        mentor, mentee = approved_mentor(group), member(Role.MENTEE, group)
        run_together(
            partial(services.mentor_pause, mentor=mentor, by=mentor),
            partial(services.proposal_create, mentor=mentor, mentee=mentee, by=mentee, kind=K.MENTEE,
                    confirm_not_close=True),
        )
        assert MentorProfile.objects.get(user=mentor).status == "paused"
        assert not Proposal.objects.open().filter(mentor=mentor).exists()

from datetime import timedelta

import pytest
from django.utils import timezone

from matches import services, tasks
from matches.models import MatchEvent, Proposal
from matches.tests.factories import MatchFactory, approved_mentor
from matches.waiting import waiting_since_refresh
from mentorship.celery import app
from notifications.models import Delivery, Notice
from profiles.models import Role, RoleGrant
from profiles.tests.factories import member

pytestmark = pytest.mark.django_db

K = Proposal.Kind


@pytest.fixture
def offer(available_mentor, mentee):
    return services.proposal_create(mentor=available_mentor, mentee=mentee, by=available_mentor, kind=K.MENTOR,
                                    confirm_not_close=True)


def _age(proposal, hours):
    Proposal.objects.filter(pk=proposal.pk).update(created_at=timezone.now() - timedelta(hours=hours))


def test_the_beat_schedule_runs_the_matching_scans():
    tasks_in_beat = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {"matches.tasks.proposals_scan", "matches.tasks.unmatched_mentees_nudge"} <= tasks_in_beat


def test_an_unanswered_proposal_is_reminded_once_then_expires(offer, mentee, settings):
    assert tasks.proposals_scan() == {"expire": 0, "remind": 0}
    _age(offer, settings.PROPOSAL_REMIND_AFTER + 1)
    assert tasks.proposals_scan() == {"expire": 0, "remind": 1}
    assert tasks.proposals_scan() == {"expire": 0, "remind": 0}
    assert Delivery.objects.filter(to=mentee.email, subject__startswith="Reminder").count() == 1
    Proposal.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert tasks.proposals_scan() == {"expire": 1, "remind": 0}
    offer.refresh_from_db()
    assert offer.status == "expired"
    assert list(MatchEvent.objects.filter(proposal=offer).values_list("kind", flat=True)) == [
        "proposed", "reminded", "expired"]
    assert tasks.proposal_expire(offer.pk) is False


def test_a_reminder_is_not_sent_to_the_side_that_already_said_yes(offer, available_mentor, settings):
    _age(offer, settings.PROPOSAL_REMIND_AFTER + 1)
    tasks.proposals_scan()
    assert not Delivery.objects.filter(to=available_mentor.email, subject__startswith="Reminder").exists()


def test_accepting_withdraws_the_mentees_other_open_proposals(group, mentee, django_capture_on_commit_callbacks):
    a, b = approved_mentor(group), approved_mentor(group)
    pa = services.proposal_create(mentor=a, mentee=mentee, by=a, kind=K.MENTOR, confirm_not_close=True)
    pb = services.proposal_create(mentor=b, mentee=mentee, by=b, kind=K.MENTOR, confirm_not_close=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_accept(proposal_id=pa.pk, by=mentee, confirm_not_close=True)
    pb.refresh_from_db()
    assert pb.status == "withdrawn"


def test_a_mentee_waiting_long_is_brought_to_the_coordinator_once(group, mentee, coordinator, settings):
    RoleGrant.objects.filter(user=mentee).update(started_at=timezone.now() - timedelta(days=60))
    waiting_since_refresh([mentee.pk])  # the grant was backdated directly
    assert tasks.unmatched_mentees_nudge() == 1
    tasks.unmatched_mentees_nudge()
    assert Delivery.objects.filter(to=coordinator.email, subject__icontains="waiting").count() == 1
    assert Notice.objects.filter(user=coordinator, title__icontains="waiting").count() == 1


def test_a_matched_or_recently_matched_mentee_is_not_nudged_about(group, mentee, coordinator):
    RoleGrant.objects.filter(user=mentee).update(started_at=timezone.now() - timedelta(days=60))
    other = member(Role.MENTEE, group)
    RoleGrant.objects.filter(user=other).update(started_at=timezone.now() - timedelta(days=60))
    waiting_since_refresh([mentee.pk, other.pk])  # the grants were backdated directly
    MatchFactory(mentee=mentee, mentor=approved_mentor(group), group=group)
    ended = MatchFactory(mentee=other, mentor=approved_mentor(group), group=group)
    services.match_end(match_id=ended.pk, by=other, reason="done")
    assert tasks.unmatched_mentees_nudge() == 0

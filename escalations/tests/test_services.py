from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from escalations.models import Concern, ConcernEvent, Debrief
from escalations.notifications import topic
from escalations.services import (
    ConcernError,
    concern_acknowledge,
    concern_escalate,
    concern_note,
    concern_raise,
    concern_resolve,
    concern_start,
)
from notifications.models import Delivery

pytestmark = pytest.mark.django_db


def raise_(match, *situations, about="mentee", reporter=None, details="x"):
    return concern_raise(reporter=reporter or match.mentor, match=match, situations=list(situations), about=about,
                         details=details)


def recipients(concern):
    return set(Delivery.objects.filter(topic=topic(concern.pk), channel="email").values_list("to", flat=True))


def test_a_tier_one_report_is_saved_with_its_decision_and_tells_only_the_mea(
    match, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        concern = raise_(match, "conflict")
    assert concern.tier == 1 and concern.routed_to_mea == match.mea and not concern.escalated_to_staff
    assert recipients(concern) == {match.mea.email}
    assert concern.events.get().what == ConcernEvent.What.RAISED
    assert Delivery.objects.get().status == Delivery.Status.SENT


def test_a_monitor_report_tells_staff_and_the_mea(match, staff_user):
    concern = raise_(match, "victim_of_abuse")
    assert recipients(concern) == {match.mea.email, staff_user.email}
    assert concern.escalated_to_staff


def test_a_policy_report_tells_staff_only(match, staff_user):
    concern = raise_(match, "harassed")
    assert recipients(concern) == {staff_user.email}
    assert concern.routed_to_mea is None


def test_the_staff_email_address_is_used_when_the_program_has_one(match, staff_user, settings):
    settings.STAFF_EMAIL = "help@program.example"
    assert recipients(raise_(match, "harassed")) == {"help@program.example"}


def test_a_report_about_the_mea_goes_to_staff_and_is_never_routed_to_them(match, staff_user):
    concern = raise_(match, "conflict", about="mea")
    assert concern.routed_to_mea is None and concern.escalated_to_staff
    assert match.mea.email not in recipients(concern)
    assert not Concern.objects.visible_to(match.mea).exists()


def test_a_mentee_can_report_about_their_mentor(match):
    concern = raise_(match, "boundaries", about="mentor", reporter=match.mentee)
    assert concern.routed_to_mea == match.mea


def test_nobody_reports_on_a_match_they_are_not_in_and_an_mea_never_about_themselves(match, plain_member):
    with pytest.raises(ConcernError):
        raise_(match, "conflict", about="mea", reporter=match.mea)
    with pytest.raises(ConcernError):
        raise_(match, "conflict", reporter=plain_member)
    with pytest.raises(ConcernError):
        raise_(match, "not_a_situation")
    assert not Concern.objects.exists()


def test_a_mentor_naming_their_own_place_in_the_match_reports_about_themselves(match):
    concern = raise_(match, "overwhelmed", about="mentor")
    assert (concern.about, concern.match, concern.routed_to_mea) == ("self", match, match.mea)


def test_a_staff_tier_report_offers_the_reporter_a_debrief(match):
    concern = raise_(match, "actively_suicidal")
    debrief = Debrief.objects.get(concern=concern)
    assert debrief.person == match.mentor and debrief.owner == match.mea and debrief.status == "offered"
    assert not Debrief.objects.filter(concern=raise_(match, "conflict")).exists()


def test_the_deadlines_in_force_stay_with_the_report(match, settings):
    settings.ESCALATION_ACK_DEADLINES = {1: 10, 2: 5, 3: 0.5}
    concern = raise_(match, "conflict")
    assert concern.deadlines == {"1": 10.0, "2": 5.0, "3": 0.5}
    assert abs((concern.ack_deadline - concern.created_at) - timedelta(hours=10)) < timedelta(seconds=1)
    settings.ESCALATION_ACK_DEADLINES = {1: 99, 2: 99, 3: 99}
    concern = concern_escalate(concern, match.mea, "needs staff")
    assert abs(concern.ack_deadline - timezone.now() - timedelta(hours=5)) < timedelta(seconds=5)


def test_status_moves_only_along_the_allowed_transitions_and_each_move_is_an_event(match):
    concern = raise_(match, "conflict")
    with pytest.raises(ConcernError):
        concern_start(concern, match.mea)
    with pytest.raises(ConcernError):
        concern_resolve(concern, match.mea, "done")
    concern = concern_acknowledge(concern, match.mea)
    concern = concern_start(concern, match.mea)
    with pytest.raises(ConcernError):
        concern_resolve(concern, match.mea, "  ")
    concern = concern_resolve(concern, match.mea, "Talked it through.")
    assert concern.status == "resolved" and concern.outcome == "Talked it through."
    assert list(concern.events.values_list("what", "actor")) == [
        ("raised", match.mentor.pk), ("acknowledged", match.mea.pk), ("started", match.mea.pk), ("resolved", match.mea.pk)]


def test_only_the_handler_may_move_a_report(match, staff_user, coordinator):
    tier1 = raise_(match, "conflict")
    for outsider in (staff_user, coordinator, match.mentor):
        with pytest.raises(ConcernError):
            concern_acknowledge(tier1, outsider)
    tier2 = raise_(match, "victim_of_abuse")
    with pytest.raises(ConcernError):
        concern_acknowledge(tier2, match.mea)
    assert concern_acknowledge(tier2, staff_user).status == "acknowledged"
    concern_note(tier2, match.mea, "Spoke with the mentor.")  # the MEA told of it keeps notes


def test_the_mea_escalates_with_a_reason_and_staff_then_see_it(match, staff_user):
    concern = concern_acknowledge(raise_(match, "conflict"), match.mea)
    assert not Concern.objects.visible_to(staff_user).exists()
    with pytest.raises(ConcernError):
        concern_escalate(concern, match.mea, "")
    concern = concern_escalate(concern, match.mea, "Mediation failed twice.")
    assert concern.escalated_to_staff and concern.status == "open"
    assert Concern.objects.visible_to(staff_user).get() == concern
    assert staff_user.email in recipients(concern)
    with pytest.raises(ConcernError):
        concern_escalate(concern, match.mea, "again")


def test_a_resolved_report_must_have_an_outcome_in_the_database(match):
    concern = raise_(match, "conflict")
    with pytest.raises(IntegrityError):
        Concern.objects.filter(pk=concern.pk).update(status="resolved")


def test_a_report_rolled_back_with_its_caller_tells_nobody(match, django_capture_on_commit_callbacks, mailoutbox):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                raise_(match, "victim_of_abuse")
                raise RuntimeError("check-in failed")
        except RuntimeError:
            pass
    assert not callbacks and not mailoutbox and not Concern.objects.exists()

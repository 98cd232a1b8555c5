"""Nothing is recorded twice (docs/AUDIT.md): a match's and a report's lifecycle is their
people-facing timeline (MatchEvent, ConcernEvent), written by the services; the history
(django-pghistory's triggers) records only the changes no timeline line covers. These
tests walk both lifecycles through the services and fail if any step also lands in the
history, and fail if a change the timeline does not cover is missing from the history."""

import pytest

from escalations import services as concerns
from escalations.models import Concern, ConcernEvent
from matches import services as matching
from matches.models import Match, MatchEvent, MentorProfile
from profiles.acting import acting_for
from profiles.tests.factories import member
from support.services import match_mea_assign

pytestmark = pytest.mark.django_db


def _recorded(obj):
    return list(obj.history.values_list("pgh_label", flat=True))


def _a_match(mentor, mentee, coordinator, mea):
    MentorProfile.objects.create(user=mentor, capacity=2)
    proposal = matching.proposal_create(mentor=mentor, mentee=mentee, by=coordinator, kind="coordinator")
    matching.proposal_accept(proposal_id=proposal.pk, by=mentee, confirm_not_close=True)
    matching.proposal_accept(proposal_id=proposal.pk, by=mentor, confirm_not_close=True)
    return Match.objects.get(mentee=mentee)


def test_a_matchs_lifecycle_is_on_its_timeline_and_not_in_the_history(mentor, mentee, coordinator, mea):
    match = _a_match(mentor, mentee, coordinator, mea)
    matching.match_end(match_id=match.pk, by=mentee, reason="We are done", gratitude_note="Thanks", rating=5)
    kinds = list(MatchEvent.objects.filter(match=match).values_list("kind", flat=True))
    assert {"started", "mea_assigned", "ended"} <= set(kinds)
    assert _recorded(match) == [], "a lifecycle step was recorded twice (timeline and history)"


def test_a_reports_handling_is_on_its_timeline_and_not_in_the_history(mentor, mentee, mea, staff_user, group):
    match = Match.objects.create(mentor=mentor, mentee=mentee, group=group, mea=mea)
    concern = concerns.concern_raise(reporter=mentor, match=match, situations=["conflict"], about="mentee",
                                     details="first")
    concerns.concern_add_details(concern, mentor, "more")
    concerns.concern_acknowledge(Concern.objects.get(pk=concern.pk), mea)
    concerns.concern_start(Concern.objects.get(pk=concern.pk), mea)
    concerns.concern_note(Concern.objects.get(pk=concern.pk), mea, "called them")
    concerns.concern_escalate(Concern.objects.get(pk=concern.pk), mea, "needs staff")
    concerns.concern_assign(Concern.objects.get(pk=concern.pk), staff_user, staff_user)
    concerns.concern_acknowledge(Concern.objects.get(pk=concern.pk), staff_user)
    concerns.concern_resolve(Concern.objects.get(pk=concern.pk), staff_user, "settled")
    whats = set(ConcernEvent.objects.filter(concern=concern).values_list("what", flat=True))
    assert {"raised", "details", "acknowledged", "started", "note", "escalated", "assigned", "resolved"} <= whats
    assert _recorded(concern) == [], "a handling step was recorded twice (timeline and history)"


def test_what_no_timeline_line_says_is_in_the_history_and_only_there(mentor, mentee, coordinator, mea, group,
                                                                    other_group, staff_user):
    match = _a_match(mentor, mentee, coordinator, mea)
    timeline = MatchEvent.objects.filter(match=match).count()
    # A later MEA: the coordinator's choice, in the history (the timeline has the first MEA).
    match_mea_assign(match=match, mea=member("mea", group), by=coordinator)
    # A pairing corrected by staff in bulk.
    with acting_for(staff_user):
        Match.objects.filter(pk=match.pk).update(group=other_group)
    assert _recorded(match) == ["update", "update"]
    assert MatchEvent.objects.filter(match=match).count() == timeline, "the history's change is not on the timeline"


def test_the_history_never_tracks_a_field_a_timeline_line_covers():
    timeline_fields = {
        Match: {"status", "started_at", "ended_at", "ended_by", "end_reason", "gratitude_note", "suitability_rating"},
        Concern: {"status", "assigned_to", "acknowledged_at", "escalated_to_staff", "escalated_at", "tier", "kind",
                  "routed_to_mea", "resends", "ack_deadline", "all_staff_notified_at", "all_staff_rounds",
                  "resolved_at", "outcome", "details", "deadlines", "routing_reasons", "situations", "about"},
    }
    for model, covered in timeline_fields.items():
        event_model = model.history.rel.related_model
        tracked = {f.name for f in event_model._meta.fields if not f.name.startswith("pgh_")}
        assert not tracked & covered, f"{model.__name__}: {tracked & covered} recorded twice"
        labels = {tracker.label for tracker in event_model.pgh_trackers}
        assert "insert" not in labels, f"{model.__name__}'s creation is its timeline's first line"

"""The audit trail: who changed what (old and new), bulk updates and admin
actions included; staff reads recorded; the trail read-only in the admin."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from profiles.audit import REDACTED, AuditedQuerySet, access_record, audit_actor, audit_record, changes_between
from profiles.models import AccessEvent, AuditEvent, Profile, Role, RoleGrant
from profiles.services import role_end, role_grant
from profiles.tests.factories import member

pytestmark = pytest.mark.django_db


def _events(obj):
    return AuditEvent.objects.for_object(obj).order_by("pk")


def test_audit_record_keeps_who_what_when_and_old_and_new(mentor, coordinator):
    grant = mentor.role_grants.get()
    event = audit_record(coordinator, grant, "reviewed", {"role": ["mentee", "mentor"]})
    assert (event.actor, event.action, event.changes) == (coordinator, "reviewed", {"role": ["mentee", "mentor"]})
    assert event.at is not None and event.object_id == str(grant.pk)


def test_granting_a_role_is_in_the_trail(group, staff_user):
    person = member(None, group)
    grant = role_grant(person, Role.MENTOR, by=staff_user)
    event = _events(grant).get()
    assert event.action == "granted" and event.actor == staff_user


def test_a_bulk_update_writes_one_row_per_changed_object_with_old_and_new(group, staff_user):
    people = [member("mentee", group) for _ in range(3)]
    with audit_actor(staff_user):
        changed = RoleGrant.objects.filter(user__in=people).update(role=Role.MENTOR)
    assert changed == 3
    events = AuditEvent.objects.filter(action="update")
    assert events.count() == 3
    assert {e.actor for e in events} == {staff_user}
    assert all(e.changes == {"role": ["mentee", "mentor"]} for e in events)


def test_an_update_that_changes_nothing_writes_nothing(mentee):
    RoleGrant.objects.filter(user=mentee).update(role=Role.MENTEE)
    assert not AuditEvent.objects.filter(action="update").exists()


def test_ending_a_role_records_the_end_time(mentor):
    role_end(mentor, Role.MENTOR)
    event = AuditEvent.objects.get(action="update")
    old, new = event.changes["ended_at"]
    assert old is None and new is not None


def test_a_named_bulk_change_and_a_bulk_delete_are_recorded(mentee, mentor):
    RoleGrant.objects.filter(user=mentee).with_audit_action("expired").update(ended_at=timezone.now())
    assert AuditEvent.objects.filter(action="expired").count() == 1
    grant_pk = mentor.role_grants.get().pk
    RoleGrant.objects.filter(user=mentor).delete()
    event = AuditEvent.objects.get(action="delete")
    assert event.object_id == str(grant_pk) and event.changes["role"] == ["mentor", None]


def test_a_rolled_back_change_leaves_no_history(mentee):
    with pytest.raises(RuntimeError), transaction.atomic():
        RoleGrant.objects.filter(user=mentee).update(role=Role.MENTOR)
        raise RuntimeError
    assert not AuditEvent.objects.filter(action="update").exists()


def test_confidential_fields_are_recorded_as_changed_without_their_content(mentee):
    class Redacting(AuditedQuerySet):
        audit_redact_fields = ("role",)

    Redacting(model=RoleGrant).filter(user=mentee).update(role=Role.MENTOR)
    assert AuditEvent.objects.get(action="update").changes == {"role": [REDACTED, REDACTED]}
    assert changes_between({"text": "a"}, {"text": "b"}, redact=["text"]) == {"text": [REDACTED, REDACTED]}


def test_a_request_attributes_changes_to_the_signed_in_person(client, admin_user, group):
    person = member("mentee", group)
    grant = person.role_grants.get()
    client.force_login(admin_user)
    response = client.post(
        "/admin/profiles/rolegrant/", {"action": "delete_selected", "_selected_action": [grant.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    event = AuditEvent.objects.get(action="delete", object_id=str(grant.pk))
    assert event.actor == admin_user


def test_a_change_form_save_in_the_admin_is_recorded(client, admin_user, mentee):
    grant = mentee.role_grants.get()
    client.force_login(admin_user)
    response = client.post(
        f"/admin/profiles/rolegrant/{grant.pk}/change/",
        {"user": mentee.pk, "role": "mentor", "group": "", "started_at_0": "2026-01-01", "started_at_1": "10:00:00",
         "ended_at_0": "", "ended_at_1": ""},
    )
    assert response.status_code == 302, response.content[:2000]
    event = AuditEvent.objects.get(action="admin_change")
    assert event.actor == admin_user and event.changes["role"] == ["mentee", "mentor"]


def test_a_staff_read_of_a_profile_in_the_admin_leaves_an_access_row(client, admin_user, staff_user, mentee):
    client.force_login(admin_user)
    profile = Profile.objects.get(user=mentee)
    assert client.get(f"/admin/profiles/profile/{profile.pk}/change/").status_code == 200
    access = AccessEvent.objects.get()
    assert access.actor == admin_user and access.object_id == str(profile.pk)
    assert access_record(staff_user, profile, "/x").path == "/x"


@pytest.mark.parametrize("model", ["auditevent", "accessevent"])
def test_staff_can_read_the_trail_in_the_admin_but_nobody_can_edit_it(client, staff_user, mentee, model):
    event = audit_record(staff_user, mentee.role_grants.get(), "x")
    access = access_record(staff_user, mentee.role_grants.get())
    pk = event.pk if model == "auditevent" else access.pk
    client.force_login(staff_user)
    assert client.get(f"/admin/profiles/{model}/").status_code == 200
    assert client.get(f"/admin/profiles/{model}/{pk}/change/").status_code == 200
    assert client.get(f"/admin/profiles/{model}/add/").status_code == 403
    assert client.post(f"/admin/profiles/{model}/{pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(f"/admin/profiles/{model}/{pk}/change/", {"action": "edited"})
    assert AuditEvent.objects.filter(action="x").count() == 1 and AccessEvent.objects.count() == 1


def test_a_superuser_cannot_delete_the_trail_either(client, admin_user, staff_user, mentee):
    event = audit_record(staff_user, mentee.role_grants.get(), "x")
    client.force_login(admin_user)
    assert client.post(f"/admin/profiles/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_trail_is_visible_only_to_staff(coordinator, staff_user, mentee):
    audit_record(staff_user, mentee.role_grants.get(), "x")
    assert AuditEvent.objects.visible_to(coordinator).count() == 0
    assert AuditEvent.objects.visible_to(staff_user).count() == AuditEvent.objects.count() > 0


# --- Matches, check-ins and reports: every write path leaves history ------------------

MARKER = "MARKER-9c1e-private"


def _changes(obj, action):
    return AuditEvent.objects.for_object(obj).get(action=action)


def _trail_text() -> str:
    import json

    return json.dumps(list(AuditEvent.objects.values("action", "changes")), default=str)


@pytest.fixture
def supported(mentor, mentee, mea, group):
    from matches.tests.factories import MatchFactory
    from support.models import MatchSupport

    match = MatchFactory(mentor=mentor, mentee=mentee, mea=mea, group=group)
    MatchSupport.objects.create(match=match, next_due=timezone.localdate())
    return match


def _raise(match, details="details"):
    from escalations.services import concern_raise

    # Tier 2 (staff): staff may read it in the admin.
    return concern_raise(reporter=match.mentor, match=match, situations=["victim_of_abuse"], about="mentee",
                         details=details)


def test_ending_a_match_through_the_service_records_who_old_and_new_without_the_private_words(supported, mentee):
    from matches.services import match_end

    match_end(match_id=supported.pk, by=mentee, reason=MARKER, gratitude_note=MARKER, rating=4)
    event = _changes(supported, "ended")
    assert event.actor == mentee
    assert event.changes["status"] == ["active", "ended"]
    assert event.changes["suitability_rating"] == [None, 4]
    assert event.changes["end_reason"] == [REDACTED, REDACTED]
    assert MARKER not in _trail_text()


def test_a_match_created_from_accepted_proposal_and_an_mea_assignment_are_recorded(supported, coordinator, group):
    from support.services import match_mea_assign

    assert AuditEvent.objects.for_object(supported).filter(action="create").exists()
    other_mea = member("mea", group)
    match_mea_assign(match=supported, mea=other_mea, by=coordinator)
    event = _changes(supported, "mea_assigned")
    assert event.actor == coordinator and event.changes == {"mea_id": [supported.mea_id, other_mea.pk]}


def test_a_bulk_update_of_matches_is_recorded_with_the_actor(supported, staff_user):
    from matches.models import Match

    with audit_actor(staff_user):
        Match.objects.filter(pk=supported.pk).update(suitability_rating=2, end_reason=MARKER)
    event = _changes(supported, "update")
    assert event.actor == staff_user
    assert event.changes == {"suitability_rating": [None, 2], "end_reason": [REDACTED, REDACTED]}
    assert MARKER not in _trail_text()


def test_a_check_in_recorded_by_the_mea_is_in_the_trail_without_what_was_said(supported, mea):
    from support.services import checkin_record

    checkin = checkin_record(match=supported, mea=mea, with_whom="both", rating=2, to_celebrate=MARKER,
                             worrying=MARKER, private_note=MARKER)
    event = _changes(checkin, "create")
    assert event.actor == mea
    assert event.changes["match_id"] == [None, supported.pk]
    assert event.changes["held_on"][1] == str(checkin.held_on)
    for field in ("rating", "to_celebrate", "worrying", "private_note"):
        assert event.changes[field] == [REDACTED, REDACTED]
    # The cadence row moved on in the same change.
    support_event = AuditEvent.objects.get(action="checkin")
    assert support_event.actor == mea and support_event.changes["checkins_done"] == [0, 1]
    assert MARKER not in _trail_text()


def test_a_bulk_update_of_check_ins_is_recorded_with_old_and_new(supported, mea, staff_user):
    from support.models import CheckIn
    from support.tests.factories import CheckInFactory

    checkin = CheckInFactory(match=supported, held_on=timezone.localdate() - timedelta(days=3))
    old_day = checkin.held_on
    with audit_actor(staff_user):
        CheckIn.objects.filter(pk=checkin.pk).update(held_on=timezone.localdate(), worrying=MARKER)
    event = _changes(checkin, "update")
    assert event.actor == staff_user
    assert event.changes["held_on"] == [str(old_day), str(timezone.localdate())]
    assert event.changes["worrying"] == [REDACTED, REDACTED]
    CheckIn.objects.filter(pk=checkin.pk).delete()
    assert _changes(checkin, "delete").changes["private_note"] == [REDACTED, None]
    assert MARKER not in _trail_text()


def test_a_self_check_in_answer_is_recorded_without_the_answer(supported, mea, mentee):
    from support.services import checkin_request_answer, checkin_request_create

    request = checkin_request_create(match=supported, by=mea, respondent=mentee)
    checkin_request_answer(request=request, by=mentee, rating=3, worrying=MARKER)
    event = _changes(request, "answered")
    assert event.actor == mentee and event.changes["status"] == ["pending", "answered"]
    assert event.changes["rating"] == [REDACTED, REDACTED]
    assert MARKER not in _trail_text()


def test_handling_a_report_through_the_services_records_each_step(supported, staff_user):
    from escalations.services import concern_acknowledge, concern_resolve

    concern = _raise(supported, details=MARKER)
    created = _changes(concern, "create")
    assert created.actor == supported.mentor
    assert created.changes["tier"] == [None, 2] and created.changes["details"] == [REDACTED, REDACTED]
    assert "outcome" not in created.changes  # empty when raised: nothing recorded
    concern_acknowledge(concern, staff_user)
    concern_resolve(concern, staff_user, MARKER)
    acknowledged = _changes(concern, "acknowledged")
    assert acknowledged.actor == staff_user and acknowledged.changes["status"] == ["open", "acknowledged"]
    resolved = _changes(concern, "resolved")
    assert resolved.changes["status"] == ["acknowledged", "resolved"]
    assert resolved.changes["outcome"] == [REDACTED, REDACTED]
    assert MARKER not in _trail_text()


def test_a_deadline_escalation_is_recorded_as_the_system(match_tier_one):
    from escalations.services import concern_follow_up

    concern = match_tier_one
    Concern = type(concern)
    Concern.objects.filter(pk=concern.pk).update(ack_deadline=timezone.now() - timedelta(minutes=1))
    assert concern_follow_up(concern.pk) == "escalated"
    event = _changes(concern, "escalated")
    assert event.actor is None and event.changes["escalated_to_staff"] == [False, True]


@pytest.fixture
def match_tier_one(supported):
    from escalations.services import concern_raise

    return concern_raise(reporter=supported.mentor, match=supported, situations=["conflict"], about="mentee")


def test_a_bulk_update_of_reports_is_recorded_with_the_actor(supported, staff_user):
    from escalations.models import Concern

    concern = _raise(supported)
    with audit_actor(staff_user):
        Concern.objects.filter(pk=concern.pk).update(assigned_to=staff_user, details=MARKER)
    event = _changes(concern, "update")
    assert event.actor == staff_user
    assert event.changes == {"assigned_to_id": [None, staff_user.pk], "details": [REDACTED, REDACTED]}
    assert MARKER not in _trail_text()


def test_a_bulk_admin_action_on_reports_records_each_report_with_the_staff_member(client, supported, staff_user):
    concerns = [_raise(supported), _raise(supported)]
    client.force_login(staff_user)
    response = client.post("/admin/escalations/concern/",
                           {"action": "acknowledge", "_selected_action": [c.pk for c in concerns]})
    assert response.status_code == 302
    for concern in concerns:
        event = _changes(concern, "acknowledged")
        assert event.actor == staff_user and event.changes["status"] == ["open", "acknowledged"]


@pytest.mark.urls("tests.audit_admin_urls")
def test_a_bulk_admin_action_on_matches_and_check_ins_is_recorded(client, admin_user, supported):
    from support.tests.factories import CheckInFactory

    checkin = CheckInFactory(match=supported, held_on=timezone.localdate() - timedelta(days=2))
    client.force_login(admin_user)
    response = client.post("/audit-test-admin/matches/match/",
                           {"action": "rate_three", "_selected_action": [supported.pk]})
    assert response.status_code == 302
    assert _changes(supported, "update").actor == admin_user
    assert _changes(supported, "update").changes == {"suitability_rating": [None, 3]}
    response = client.post("/audit-test-admin/support/checkin/",
                           {"action": "held_today", "_selected_action": [checkin.pk]})
    assert response.status_code == 302
    event = _changes(checkin, "update")
    assert event.actor == admin_user and event.changes["held_on"][1] == str(timezone.localdate())


def test_the_real_match_admin_offers_no_way_to_change_or_delete_matches(client, supported, group):
    client.force_login(member("staff", group, is_staff=True, is_superuser=True))
    assert client.get("/admin/matches/match/").status_code == 200
    client.post("/admin/matches/match/", {"action": "delete_selected", "_selected_action": [supported.pk],
                                          "post": "yes"})
    assert type(supported).objects.filter(pk=supported.pk).exists()
    assert not AuditEvent.objects.for_object(supported).exclude(action="create").exists()


def test_a_bulk_admin_delete_of_check_in_state_is_recorded(client, supported, group):
    from support.models import MatchSupport

    admin_user = member("staff", group, is_staff=True, is_superuser=True)
    support = MatchSupport.objects.get(pk=supported.pk)
    client.force_login(admin_user)
    response = client.post("/admin/support/matchsupport/",
                           {"action": "delete_selected", "_selected_action": [support.pk], "post": "yes"})
    assert response.status_code == 302 and not MatchSupport.objects.filter(pk=support.pk).exists()
    event = AuditEvent.objects.get(action="delete", object_id=str(support.pk),
                                   content_type__model="matchsupport")
    assert event.actor == admin_user and event.changes["next_due"][1] is None


# --- Reads of a report ---------------------------------------------------------------


def test_a_staff_read_of_a_report_in_the_admin_leaves_an_access_row_and_shows_the_trail(client, supported, staff_user):
    concern = _raise(supported, details=MARKER)
    client.force_login(staff_user)
    page = client.get(f"/admin/escalations/concern/{concern.pk}/change/")
    assert page.status_code == 200
    read = AccessEvent.objects.get()
    assert (read.actor, read.object_id, read.content_type.model) == (staff_user, str(concern.pk), "concern")
    # The page shows the report's history and its readers, and nothing there can be edited.
    html = page.content.decode()
    assert "changes (audit trail)" in html.lower() and "who opened it" in html.lower()
    assert 'name="auditevent' not in html.lower() and 'name="accessevent' not in html.lower()


def test_the_mea_reading_a_report_in_their_inbox_leaves_an_access_row(client, match_tier_one, mea):
    client.force_login(mea)
    assert client.get(f"/concerns/inbox/{match_tier_one.pk}/").status_code == 200
    assert AccessEvent.objects.get().actor == mea


def test_the_reporter_reading_their_own_report_is_not_an_access(client, match_tier_one):
    client.force_login(match_tier_one.reporter)
    assert client.get(f"/concerns/mine/{match_tier_one.pk}/").status_code == 200
    assert not AccessEvent.objects.exists()


def test_list_pages_write_no_history(client, supported, staff_user, mea, match_tier_one):
    _raise(supported)
    before = (AuditEvent.objects.count(), AccessEvent.objects.count())
    client.force_login(staff_user)
    assert client.get("/admin/escalations/concern/").status_code == 200
    assert client.get("/admin/matches/match/").status_code == 200
    client.force_login(mea)
    assert client.get("/concerns/inbox/").status_code == 200
    assert (AuditEvent.objects.count(), AccessEvent.objects.count()) == before

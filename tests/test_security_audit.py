"""The audit trail: who changed what (old and new), bulk updates and admin
actions included; staff reads recorded; the trail read-only in the admin."""

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

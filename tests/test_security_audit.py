"""The history (audit/): Postgres triggers record who changed what, single saves, bulk
updates, bulk inserts, deletes and admin actions included, with the acting person in
the context; confidential fields never copied; staff reads recorded; the history
read-only, and only for program staff and superusers, in the admin."""

import json
from datetime import timedelta

import pghistory
import pytest
from django.db import transaction
from django.utils import timezone

from audit.access import access_record
from audit.history import actor_names, event_models, history_of, sentence
from audit.models import AccessEvent, History
from profiles.acting import acting_for
from profiles.models import Profile, Role, RoleGrant
from profiles.services import role_end, role_grant
from profiles.tests.factories import member

pytestmark = pytest.mark.django_db


def _events(obj, label=None):
    rows = obj.history.select_related("pgh_context").order_by("pgh_id")
    return rows.filter(pgh_label=label) if label else rows


def _actor_id(event):
    return event.pgh_context.metadata.get("user") if event.pgh_context_id else None


def test_granting_a_role_is_in_the_history_with_who_granted_it(group, staff_user):
    person = member(None, group)
    with acting_for(staff_user):
        grant = role_grant(person, Role.MENTOR, by=staff_user)
    event = _events(grant).get()
    assert event.pgh_label == "insert" and _actor_id(event) == staff_user.pk
    assert (event.user_id, event.role, event.granted_by_id) == (person.pk, "mentor", staff_user.pk)


def test_a_bulk_update_writes_one_row_per_changed_object_with_the_actor(group, staff_user):
    people = [member("mentee", group) for _ in range(3)]
    with acting_for(staff_user):
        changed = RoleGrant.objects.filter(user__in=people).update(role=Role.MENTOR)
    assert changed == 3
    events = [e for p in people for e in _events(p.role_grants.get(), "update")]
    assert len(events) == 3
    assert {_actor_id(e) for e in events} == {staff_user.pk}
    assert all(e.role == "mentor" for e in events)


def test_a_bulk_create_is_recorded_with_the_actor(group, staff_user):
    people = [member(None, group) for _ in range(2)]
    with acting_for(staff_user):
        grants = RoleGrant.objects.bulk_create([RoleGrant(user=p, role=Role.MENTEE, group=group) for p in people])
    for grant in grants:
        event = _events(grant).get()
        assert event.pgh_label == "insert" and _actor_id(event) == staff_user.pk


def test_an_update_that_changes_nothing_writes_nothing(mentee):
    grant = mentee.role_grants.get()
    RoleGrant.objects.filter(user=mentee).update(role=Role.MENTEE)
    assert not _events(grant, "update").exists()


def test_ending_a_role_records_the_end_time_and_the_diff_reads_old_and_new(mentor):
    grant = mentor.role_grants.get()
    role_end(mentor, Role.MENTOR)
    assert _events(grant, "update").get().ended_at is not None
    event = History.objects.tracks(grant).filter(pgh_label="update").get()
    old, new = event.pgh_diff["ended_at"]
    assert old is None and new is not None


def test_a_delete_is_recorded_with_the_last_values_and_the_actor(mentor, staff_user):
    grant = mentor.role_grants.get()
    with acting_for(staff_user):
        RoleGrant.objects.filter(user=mentor).delete()
    event = _events(grant, "delete").get()
    assert event.role == "mentor" and _actor_id(event) == staff_user.pk


def test_a_rolled_back_change_leaves_no_history(mentee):
    grant = mentee.role_grants.get()
    with pytest.raises(RuntimeError), transaction.atomic():
        RoleGrant.objects.filter(user=mentee).update(role=Role.MENTOR)
        raise RuntimeError
    assert not _events(grant, "update").exists()


def test_a_task_names_itself_in_the_context(mentee):
    grant = mentee.role_grants.get()
    with pghistory.context(task="profiles.tasks.example"):
        RoleGrant.objects.filter(pk=grant.pk).update(ended_at=timezone.now())
    event = _events(grant, "update").get()
    assert event.pgh_context.metadata == {"task": "profiles.tasks.example"}
    assert "The system (profiles.tasks.example)" in sentence(History.objects.tracks(grant).get(pgh_label="update"), {})


def test_a_request_attributes_changes_to_the_signed_in_person(client, admin_user, group):
    person = member("mentee", group)
    grant = person.role_grants.get()
    client.force_login(admin_user)
    response = client.post(
        "/admin/profiles/rolegrant/", {"action": "delete_selected", "_selected_action": [grant.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    event = _events(grant, "delete").get()
    assert _actor_id(event) == admin_user.pk
    assert event.pgh_context.metadata["url"] == "/admin/profiles/rolegrant/"


def test_a_change_form_save_in_the_admin_is_recorded(client, admin_user, mentee):
    grant = mentee.role_grants.get()
    client.force_login(admin_user)
    response = client.post(
        f"/admin/profiles/rolegrant/{grant.pk}/change/",
        {"user": mentee.pk, "role": "mentor", "group": "", "started_at_0": "2026-01-01", "started_at_1": "10:00:00",
         "ended_at_0": "", "ended_at_1": ""},
    )
    assert response.status_code == 302, response.content[:2000]
    event = History.objects.tracks(grant).filter(pgh_label="update").get()
    assert event.pgh_context["user"] == admin_user.pk and event.pgh_diff["role"] == ["mentee", "mentor"]


def test_a_staff_read_of_a_profile_in_the_admin_leaves_an_access_row(client, admin_user, staff_user, mentee):
    client.force_login(admin_user)
    profile = Profile.objects.get(user=mentee)
    assert client.get(f"/admin/profiles/profile/{profile.pk}/change/").status_code == 200
    access = AccessEvent.objects.get()
    assert access.actor == admin_user and access.object_id == str(profile.pk)
    assert access_record(staff_user, profile, "/x").path == "/x"


def test_staff_read_the_history_as_sentences_but_nobody_can_edit_it(client, staff_user, mentee, group):
    with acting_for(staff_user):
        role_grant(mentee, Role.MENTOR, group=group, by=staff_user)
    client.force_login(staff_user)
    page = client.get("/admin/audit/history/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"{staff_user.display_name} created the role grant #" in html
    assert client.get("/admin/audit/history/?model=profiles.RoleGrant").status_code == 200
    assert client.get("/admin/audit/history/add/").status_code == 403
    before = History.objects.count()
    client.post("/admin/audit/history/", {"action": "delete_selected", "_selected_action": ["x"], "post": "yes"})
    assert History.objects.count() == before


def test_staff_can_read_the_read_log_but_nobody_can_edit_it(client, staff_user, admin_user, mentee):
    access = access_record(staff_user, mentee.role_grants.get())
    for who in (staff_user, admin_user):
        client.force_login(who)
        assert client.get("/admin/audit/accessevent/").status_code == 200
        assert client.get(f"/admin/audit/accessevent/{access.pk}/change/").status_code == 200
        assert client.get("/admin/audit/accessevent/add/").status_code == 403
        assert client.post(f"/admin/audit/accessevent/{access.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AccessEvent.objects.count() == 1


@pytest.mark.parametrize("who", ["coordinator", "mea", "mentor"])
def test_nobody_but_staff_opens_the_history_or_the_read_log(client, group, who):
    person = member(who, group, is_staff=True)  # even with the admin's door open, the role decides
    client.force_login(person)
    for url in ("/admin/audit/history/", "/admin/audit/accessevent/"):
        assert client.get(url).status_code in (302, 403, 404)


def test_the_history_is_visible_only_to_staff(coordinator, staff_user, admin_user, mentee):
    assert History.objects.count() > 0
    assert History.objects.visible_to(coordinator).count() == 0
    assert History.objects.visible_to(staff_user).count() == History.objects.count()
    assert History.objects.visible_to(admin_user).count() == History.objects.count()


# --- Matches, check-ins and reports: every write path leaves history ------------------

MARKER = "MARKER-9c1e-private"


def _history_text() -> str:
    """Every event row of every event table, and every context, as text."""
    rows = [list(model.objects.values()) for model in event_models()]
    rows.append(list(pghistory.models.Context.objects.values("metadata")))
    return json.dumps(rows, default=str)


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


def test_an_mea_assignment_is_recorded_with_the_coordinator(supported, coordinator, group):
    from support.services import match_mea_assign

    other_mea = member("mea", group)
    match_mea_assign(match=supported, mea=other_mea, by=coordinator)
    event = _events(supported, "update").get()
    assert _actor_id(event) == coordinator.pk and event.mea_id == other_mea.pk
    change = History.objects.tracks(supported).get()
    assert sentence(change, actor_names([change])).startswith(
        f"{coordinator.display_name} changed the match #{supported.pk} (now: ")
    assert f"MEA {other_mea.display_name}" in sentence(change, actor_names([change]))


def test_a_check_in_recorded_by_the_mea_is_in_the_history_without_what_was_said(supported, mea):
    from support.models import MatchSupport
    from support.services import checkin_record

    checkin = checkin_record(match=supported, mea=mea, with_whom="both", rating=2, to_celebrate=MARKER,
                             worrying=MARKER, private_note=MARKER)
    event = _events(checkin, "insert").get()
    assert _actor_id(event) == mea.pk
    assert (event.match_id, event.held_on) == (supported.pk, checkin.held_on)
    for field in ("rating", "to_celebrate", "worrying", "private_note", "situations"):
        assert not hasattr(event, field)
    # The cadence row moved on in the same change.
    support_event = _events(MatchSupport.objects.get(pk=supported.pk), "update").get()
    assert _actor_id(support_event) == mea.pk and support_event.checkins_done == 1
    assert MARKER not in _history_text()


def test_a_bulk_update_of_check_ins_is_recorded_without_the_confidential_field(supported, mea, staff_user):
    from support.models import CheckIn
    from support.tests.factories import CheckInFactory

    checkin = CheckInFactory(match=supported, held_on=timezone.localdate() - timedelta(days=3))
    with acting_for(staff_user):
        CheckIn.objects.filter(pk=checkin.pk).update(held_on=timezone.localdate(), worrying=MARKER)
    event = _events(checkin, "update").get()
    assert _actor_id(event) == staff_user.pk and event.held_on == timezone.localdate()
    # A change of a confidential field alone is not recorded at all (there is nothing to say).
    CheckIn.objects.filter(pk=checkin.pk).update(private_note=MARKER)
    assert _events(checkin, "update").count() == 1
    CheckIn.objects.filter(pk=checkin.pk).delete()
    assert _events(checkin, "delete").exists()
    assert MARKER not in _history_text()


def test_a_self_check_in_answer_is_recorded_without_the_answer(supported, mea, mentee):
    from support.services import checkin_request_answer, checkin_request_create

    request = checkin_request_create(match=supported, by=mea, respondent=mentee)
    checkin_request_answer(request=request, by=mentee, rating=3, worrying=MARKER)
    event = _events(request, "update").last()
    assert _actor_id(event) == mentee.pk and event.status == "answered"
    assert MARKER not in _history_text()


def test_a_report_and_a_goal_never_copy_what_was_said(supported, staff_user, mentee):
    from escalations.services import concern_acknowledge, concern_resolve
    from meetings.services import goal_add

    concern = _raise(supported, details=MARKER)
    concern_acknowledge(concern, staff_user)
    concern_resolve(concern, staff_user, MARKER)
    goal_add(match=supported, by=mentee, text=MARKER)
    assert MARKER not in _history_text()


@pytest.mark.urls("tests.audit_admin_urls")
def test_a_bulk_admin_action_on_matches_and_check_ins_is_recorded(client, admin_user, supported):
    from support.tests.factories import CheckInFactory

    checkin = CheckInFactory(match=supported, held_on=timezone.localdate() - timedelta(days=2))
    client.force_login(admin_user)
    response = client.post("/audit-test-admin/matches/match/", {"action": "no_mea", "_selected_action": [supported.pk]})
    assert response.status_code == 302
    event = _events(supported, "update").get()
    assert _actor_id(event) == admin_user.pk and event.mea_id is None
    response = client.post("/audit-test-admin/support/checkin/",
                           {"action": "held_today", "_selected_action": [checkin.pk]})
    assert response.status_code == 302
    event = _events(checkin, "update").get()
    assert _actor_id(event) == admin_user.pk and event.held_on == timezone.localdate()


def test_the_real_match_admin_offers_no_way_to_change_or_delete_matches(client, supported, group):
    client.force_login(member("staff", group, is_staff=True, is_superuser=True))
    assert client.get("/admin/matches/match/").status_code == 200
    client.post("/admin/matches/match/", {"action": "delete_selected", "_selected_action": [supported.pk],
                                          "post": "yes"})
    assert type(supported).objects.filter(pk=supported.pk).exists()
    assert not _events(supported).exists()


def test_a_bulk_admin_delete_of_check_in_state_is_recorded(client, supported, group):
    from support.models import MatchSupport

    admin_user = member("staff", group, is_staff=True, is_superuser=True)
    support = MatchSupport.objects.get(pk=supported.pk)
    client.force_login(admin_user)
    response = client.post("/admin/support/matchsupport/",
                           {"action": "delete_selected", "_selected_action": [support.pk], "post": "yes"})
    assert response.status_code == 302 and not MatchSupport.objects.filter(pk=support.pk).exists()
    event = _events(support, "delete").get()
    assert _actor_id(event) == admin_user.pk and event.next_due == support.next_due


# --- Reads of a report ---------------------------------------------------------------


@pytest.fixture
def match_tier_one(supported):
    from escalations.services import concern_raise

    return concern_raise(reporter=supported.mentor, match=supported, situations=["conflict"], about="mentee")


def test_a_staff_read_of_a_report_in_the_admin_leaves_an_access_row_and_shows_the_history(client, supported,
                                                                                          staff_user, group):
    from escalations.models import Concern

    concern = _raise(supported, details=MARKER)
    other = member("mentee", group)
    with acting_for(staff_user):
        Concern.objects.filter(pk=concern.pk).update(subject=other)
    client.force_login(staff_user)
    page = client.get(f"/admin/escalations/concern/{concern.pk}/change/")
    assert page.status_code == 200
    read = AccessEvent.objects.get()
    assert (read.actor, read.object_id, read.content_type.model) == (staff_user, str(concern.pk), "concern")
    # The page shows the report's timeline, its other changes and its readers; nothing there can be edited.
    html = page.content.decode()
    assert "other changes (history)" in html.lower() and "who opened it" in html.lower()
    assert f"{staff_user.display_name} changed the concern #{concern.pk}" in html
    assert 'name="accessevent' not in html.lower()


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
    before = (History.objects.count(), AccessEvent.objects.count())
    client.force_login(staff_user)
    assert client.get("/admin/escalations/concern/").status_code == 200
    assert client.get("/admin/matches/match/").status_code == 200
    assert client.get("/admin/audit/history/").status_code == 200
    client.force_login(mea)
    assert client.get("/concerns/inbox/").status_code == 200
    assert (History.objects.count(), AccessEvent.objects.count()) == before


def test_actor_names_read_every_name_in_one_query(django_assert_num_queries, staff_user, coordinator, mentee, group):
    with acting_for(staff_user):
        role_grant(mentee, Role.MENTOR, group=group, by=staff_user)
    with acting_for(coordinator):
        RoleGrant.objects.filter(user=mentee, role=Role.MENTOR).update(ended_at=timezone.now())
    events = list(History.objects.all())
    with django_assert_num_queries(1):
        names = actor_names(events)
    # Who acted, and who the rows point at (the grant's holder, whoever granted it).
    assert names == {staff_user.pk: staff_user.display_name, coordinator.pk: coordinator.display_name,
                     mentee.pk: mentee.display_name}
    assert len(list(history_of(mentee.role_grants.get(role=Role.MENTOR)))) == 2

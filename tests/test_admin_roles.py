"""Every admin page, opened as program staff and as a coordinator: each role gets what it may do.

Program staff (a role, not a Django superuser) read every page and add or change
only what running a program needs: support groups, memberships, role grants
(appointing and ending coordinators), the chat board's library and the program
settings. Coordinators work in the portal (members, invitations, the pairing
board) and reach no admin page. Walks admin.site._registry, so a new admin is covered.
"""

import pytest
from django.contrib import admin
from django.urls import reverse

from audit.models import History
from profiles.models import Membership, Role, RoleGrant, SupportGroup
from profiles.tests.factories import member

pytestmark = pytest.mark.django_db

ADMINS = sorted((model._meta.app_label, model._meta.model_name) for model in admin.site._registry)
# What program staff may add in the admin; everything else answers 403 to them.
STAFF_ADD = {"profiles.supportgroup", "profiles.membership", "profiles.rolegrant", "profiles.topic",
             "profiles.orientationitem", "escalations.groupemergencynumbers",
             "community.resource"}


@pytest.fixture
def staff(group, settings):
    settings.MFA_ENFORCE = False
    return member(Role.STAFF, group)


def test_program_staff_open_each_add_page_they_may_use_and_are_refused_the_others(client, staff):
    client.force_login(staff)
    wrong = []
    for app_label, model_name in ADMINS:
        status = client.get(reverse(f"admin:{app_label}_{model_name}_add")).status_code
        expected = 200 if f"{app_label}.{model_name}" in STAFF_ADD else 403
        if status != expected:
            wrong.append(f"{app_label}.{model_name}: {status}, expected {expected}")
    assert not wrong, "\n".join(wrong)


def test_program_staff_open_the_change_pages_of_groups_memberships_roles_and_settings(client, staff, group):
    client.force_login(staff)
    membership = Membership.objects.get(user=staff, group=group)
    grant = RoleGrant.objects.get(user=staff, role=Role.STAFF)
    for name, pk in [("supportgroup", group.pk), ("membership", membership.pk), ("rolegrant", grant.pk),
                     ("programsettings", 1)]:
        page = client.get(reverse(f"admin:profiles_{name}_change", args=[pk]))
        assert page.status_code == 200, name
        assert 'type="submit"' in page.content.decode() and 'name="_save"' in page.content.decode(), name


def test_program_staff_create_a_group_and_appoint_its_coordinator_in_the_admin(client, staff, group):
    person = member(None, group)
    client.force_login(staff)
    response = client.post(reverse("admin:profiles_supportgroup_add"),
                           {"name": "Tuesday Evening Circle", "slug": "tuesday-evening", "description": "",
                            "created_at_0": "2026-01-05", "created_at_1": "18:00:00", "open_to_requests": "on",
                            "join_code": "TUESDAY7"})
    assert response.status_code == 302, response.content.decode()[:2000]
    new_group = SupportGroup.objects.get(slug="tuesday-evening")
    response = client.post(reverse("admin:profiles_rolegrant_add"),
                           {"user": person.pk, "role": Role.COORDINATOR, "group": new_group.pk,
                            "started_at_0": "2026-01-05", "started_at_1": "18:00:00", "ended_at_0": "", "ended_at_1": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    grant = RoleGrant.objects.get(user=person, role=Role.COORDINATOR, group=new_group, ended_at=None)
    assert grant.granted_by == staff
    assert History.objects.tracks(grant).filter(pgh_label="insert", pgh_context__user=staff.pk).exists()
    assert History.objects.tracks(new_group).filter(pgh_label="insert", pgh_context__user=staff.pk).exists()


def test_a_coordinator_reaches_no_admin_page(client, coordinator, group, settings):
    settings.MFA_ENFORCE = False
    client.force_login(coordinator)
    reached = []
    for app_label, model_name in ADMINS:
        for page in ("changelist", "add"):
            response = client.get(reverse(f"admin:{app_label}_{model_name}_{page}"))
            if response.status_code not in (302, 403, 404) or (
                    response.status_code == 302 and reverse("admin:login") not in response.url):
                reached.append(f"{app_label}.{model_name} {page}: {response.status_code}")
    response = client.get(reverse("admin:profiles_supportgroup_change", args=[group.pk]))
    assert response.status_code == 302 and reverse("admin:login") in response.url
    assert not reached, "\n".join(reached)

"""Admin access by role: program staff (a RoleGrant, hence is_staff, not a
superuser) can open every admin page; nobody else can, whatever flags they
carry. Walks admin.site._registry, so a newly registered admin is covered."""

import pytest
from django.contrib import admin
from django.urls import reverse

from profiles.models import Role
from profiles.services import role_end
from profiles.tests.factories import member

pytestmark = pytest.mark.django_db

CHANGELISTS = sorted(
    (model._meta.app_label, model._meta.model_name) for model in admin.site._registry
)


def changelist(app_label, model_name):
    return reverse(f"admin:{app_label}_{model_name}_changelist")


@pytest.fixture
def staff(group, settings):
    settings.MFA_ENFORCE = False
    user = member(Role.STAFF, group)
    assert user.is_staff and not user.is_superuser
    return user


def test_the_registry_is_walked():
    assert ("escalations", "concern") in CHANGELISTS and ("audit", "history") in CHANGELISTS


def test_program_staff_open_every_admin_changelist_and_the_index(client, staff):
    client.force_login(staff)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    refused = []
    for app_label, model_name in CHANGELISTS:
        # The program settings' list is its one page (a redirect to it).
        response = client.get(changelist(app_label, model_name), follow=model_name == "programsettings")
        if response.status_code != 200:
            refused.append(f"{app_label}.{model_name}: {response.status_code}")
        elif changelist(app_label, model_name) not in index.content.decode():
            refused.append(f"{app_label}.{model_name}: not listed on the admin index")
    assert not refused, "\n".join(refused)


def test_every_registered_admin_decides_access_by_role():
    from profiles.admin_access import RoleAdminMixin

    others = [f"{m._meta.label}: {type(a).__name__}" for m, a in admin.site._registry.items()
              if not isinstance(a, RoleAdminMixin)]
    assert not others, others


@pytest.mark.parametrize("who", ["mentee", "mentor", "mea", "coordinator"])
def test_nobody_else_reaches_an_admin_page(client, group, settings, who):
    settings.MFA_ENFORCE = False
    client.force_login(member(who, group))
    for app_label, model_name in CHANGELISTS:
        response = client.get(changelist(app_label, model_name))
        assert response.status_code in (302, 404), f"{app_label}.{model_name}: {response.status_code}"
        if response.status_code == 302:
            assert reverse("admin:login") in response.url


def test_a_staff_flag_without_the_staff_role_opens_nothing(client, staff):
    role_end(staff, Role.STAFF)
    staff.refresh_from_db()
    assert not staff.is_staff, "ending the role takes the admin flag away"
    staff.is_staff = True  # a flag left behind by hand still gives no access
    staff.save(update_fields=["is_staff"])
    client.force_login(staff)
    for app_label, model_name in CHANGELISTS:
        assert client.get(changelist(app_label, model_name)).status_code == 403, f"{app_label}.{model_name}"


def test_staff_read_but_do_not_change_what_is_not_theirs_to_change(client, staff, group):
    client.force_login(staff)
    other = member(Role.MENTEE, group)
    page = client.get(reverse("admin:profiles_user_change", args=[other.pk]))
    assert page.status_code == 200 and other.email in page.content.decode()
    assert 'name="is_superuser"' not in page.content.decode(), "no editable superuser box for staff"
    response = client.post(reverse("admin:profiles_user_change", args=[other.pk]),
                           {"email": other.email, "is_superuser": "on", "is_staff": "on"})
    assert response.status_code == 403
    other.refresh_from_db()
    assert not other.is_superuser and not other.is_staff
    assert client.get(reverse("admin:auth_group_add")).status_code == 403
    assert client.get(reverse("admin:escalations_concern_add")).status_code == 403


def test_staff_see_the_history_inline_of_a_match(client, staff, group, mentee):
    from matches.tests.factories import MatchFactory, approved_mentor

    match = MatchFactory(mentor=approved_mentor(group), mentee=mentee, group=group)
    client.force_login(staff)
    page = client.get(reverse("admin:matches_match_change", args=[match.pk]))
    assert page.status_code == 200 and "History" in page.content.decode()


def test_an_authenticators_secret_is_not_shown_in_the_admin(client, staff, group):
    from allauth.mfa.models import Authenticator

    secret_holder = member(Role.MEA, group)
    authenticator = Authenticator.objects.create(user=secret_holder, type=Authenticator.Type.TOTP,
                                                 data={"secret": "SECRET-MARKER-42"})
    client.force_login(staff)
    page = client.get(reverse("admin:mfa_authenticator_change", args=[authenticator.pk]))
    assert page.status_code == 200 and "SECRET-MARKER-42" not in page.content.decode()
    assert client.post(reverse("admin:mfa_authenticator_delete", args=[authenticator.pk]), {"post": "yes"}).status_code == 403
    assert Authenticator.objects.filter(pk=authenticator.pk).exists()


def test_a_superuser_keeps_every_permission_where_the_admin_allows_changes(client, group):
    from profiles.models import User

    root = User.objects.create_superuser("root@example.org", "pw-long-enough-1")
    client.force_login(root)
    assert client.get(reverse("admin:profiles_topic_add")).status_code == 200
    assert client.get(reverse("admin:escalations_concern_add")).status_code == 403, "the queue is read-only for all"

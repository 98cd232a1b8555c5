"""MFA covers every admin page: a staff member without an authenticator, in production
settings (MFA_ENFORCE on), is sent to TOTP setup from every admin URL. The
exemptions are exact view names (allauth's sign-in/out, TOTP setup and recovery
codes), never a prefix: "account_" and "mfa_" once let the admin's own address and
authenticator lists through (issue 16)."""

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from mentorship.security import MFA_EXEMPT_VIEW_NAMES
from profiles.models import Role
from profiles.tests.factories import member

pytestmark = pytest.mark.django_db

MFA_SETUP = "/accounts/2fa/totp/activate/"


def admin_patterns(resolver=None, namespace="", prefix=""):
    """(view name, parameter names) of every named URL under the admin: namespace."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from admin_patterns(entry, ns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name and namespace.startswith("admin:"):
            params = list(getattr(entry.pattern, "converters", {})) or list(entry.pattern.regex.groupindex)
            yield f"{namespace}{entry.name}", params


def _model_of(view_name: str):
    for model in admin.site._registry:
        if view_name.startswith(f"admin:{model._meta.app_label}_{model._meta.model_name}_"):
            return model
    return None


def admin_urls(staff) -> list[str]:
    """Every admin URL, each with a real object id where it needs one."""
    urls = []
    for view_name, params in admin_patterns():
        model = _model_of(view_name)
        kwargs = {}
        for param in params:
            if param == "object_id":
                row = model.objects.order_by("pk").first() if model else None
                kwargs[param] = str(row.pk if row is not None else staff.pk)
            elif param == "id":  # the user admin's password page
                kwargs[param] = str(staff.pk)
            elif param == "app_label":
                kwargs[param] = "profiles"
            elif param == "content_type_id":
                kwargs[param] = str(ContentType.objects.get_for_model(type(staff)).pk)
            else:
                raise AssertionError(f"{view_name}: no value for {param}")
        urls.append(reverse(view_name, kwargs=kwargs))
    return urls


@pytest.fixture
def world(group):
    """A row in most admin tables, so the URLs name real objects."""
    from escalations.tests.factories import ConcernFactory
    from matches.tests.factories import MatchFactory, approved_mentor

    match = MatchFactory(mentor=approved_mentor(group), mentee=member(Role.MENTEE, group), group=group)
    ConcernFactory(match=match, tier=3)
    return match


def test_every_admin_url_sends_staff_without_an_authenticator_to_totp_setup(client, group, world, settings):
    settings.MFA_ENFORCE = True
    settings.MFA_REQUIRED_ROLES = ["staff", "coordinator", "mea"]
    staff = member(Role.STAFF, group)
    assert not staff.has_totp
    urls = admin_urls(staff)
    assert reverse("admin:account_emailaddress_changelist") in urls
    assert reverse("admin:mfa_authenticator_changelist") in urls
    assert len(urls) > 100, "the walk reached every model's pages"
    client.force_login(staff)
    let_through = []
    for url in urls:
        response = client.get(url)
        if not (response.status_code == 302 and response.url == MFA_SETUP):
            let_through.append(f"{url}: {response.status_code} {getattr(response, 'url', '')}")
    assert not let_through, "\n".join(let_through)


def test_no_admin_view_is_exempt_from_mfa():
    assert not [name for name in MFA_EXEMPT_VIEW_NAMES if name.startswith("admin:")]


def test_sign_out_and_totp_setup_stay_open_without_an_authenticator(client, group, settings):
    settings.MFA_ENFORCE = True
    client.force_login(member(Role.STAFF, group))
    # force_login is not a recent sign-in: allauth asks for the password again first.
    setup = client.get(MFA_SETUP, follow=True)
    assert setup.status_code == 200 and setup.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    assert client.get(reverse("account_logout")).status_code == 200

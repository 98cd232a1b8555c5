"""Sign-in hardening: MFA for roles that read others' disclosures, throttled
failed logins (per account+address and per address, behind a proxy), expiring
sessions, and the admin only through the same login."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value, yield_hotp_counters_from_time
from django.conf import settings
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse

from mentorship.security import client_ip, needs_mfa
from profiles.tests.factories import PASSWORD, member

pytestmark = pytest.mark.django_db

MFA_SETUP = "/accounts/2fa/totp/activate/"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # allauth's rate limits live in the cache; keep tests independent.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def enforce_mfa(settings):
    settings.MFA_ENFORCE = True
    settings.MFA_REQUIRED_ROLES = ["staff", "coordinator", "mea"]


def _with_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def _login(client, email, password, addr="203.0.113.5", **extra):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=addr, **extra
    )


def _current_code(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return f"{hotp_value(secret, counter):06d}"


@pytest.mark.parametrize("role", ["staff", "coordinator", "mea"])
def test_a_role_that_reads_reports_is_sent_to_authenticator_setup_before_any_page(client, group, enforce_mfa, role):
    user = member(role, group)
    assert _login(client, user.email, PASSWORD).status_code == 302
    for path in ["/", "/profile/", reverse("notifications:list")]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url == MFA_SETUP
    # allauth asks for the password once more before showing the secret; that page is open too.
    response = client.get(MFA_SETUP, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))


def test_the_admin_is_behind_mfa_too(client, staff_user, enforce_mfa):
    client.force_login(staff_user)
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url == MFA_SETUP


@pytest.mark.parametrize("role", ["mentor", "mentee", None])
def test_members_without_those_roles_are_not_asked_for_mfa(client, group, enforce_mfa, role):
    client.force_login(member(role, group))
    response = client.get("/profile/")
    assert response.status_code == 200


def test_sign_out_and_emergency_guidance_stay_open_without_an_authenticator(client, coordinator, enforce_mfa):
    client.force_login(coordinator)
    assert client.get("/help/").status_code == 200
    assert client.get("/healthz").status_code in (200, 503)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302 and response.url != MFA_SETUP


def test_staff_with_an_authenticator_reach_their_pages(client, staff_user, enforce_mfa):
    _with_totp(staff_user)
    client.force_login(staff_user)
    assert not needs_mfa(staff_user)
    assert client.get(reverse("escalations:staff_home")).status_code == 200


def test_staff_with_an_authenticator_must_give_a_code_after_the_password(client, staff_user, enforce_mfa):
    secret = _with_totp(staff_user)
    response = client.post(reverse("account_login"), {"login": staff_user.email, "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session, "the password alone does not sign in"

    response = client.post(reverse("mfa_authenticate"), {"code": "000000" if _current_code(secret) != "000000" else "111111"})
    assert "_auth_user_id" not in client.session, "a wrong code does not sign in"

    response = client.post(reverse("mfa_authenticate"), {"code": _current_code(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff_user.pk)
    assert Authenticator.objects.filter(user=staff_user, type="totp").exists()


def test_recovery_codes_are_offered(client, staff_user, enforce_mfa):
    _with_totp(staff_user)
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    codes = RecoveryCodes.activate(staff_user)
    assert len(codes.get_unused_codes()) >= 10
    assert "recovery_codes" in settings.MFA_SUPPORTED_TYPES


def _manage_shell(code: str, **env) -> str:
    environ = {k: v for k, v in os.environ.items() if k not in ("MFA_ENFORCE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    environ.update({"DJANGO_SECRET_KEY": "x" * 60, "DJANGO_ALLOWED_HOSTS": "mentoring.example.org", **env})
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=settings.BASE_DIR, env=environ, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_mfa_is_enforced_in_production_and_relaxed_for_the_local_demo():
    code = "from django.conf import settings; print(settings.MFA_ENFORCE, bool(settings.SECURE_HSTS_SECONDS))"
    assert _manage_shell(code, DJANGO_DEBUG="false") == "True True"
    assert _manage_shell(code, DJANGO_DEBUG="true") == "False False"


# --- Throttling ------------------------------------------------------------


@pytest.fixture
def low_limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    return 3


def test_failed_logins_lock_that_account_from_that_address_even_with_the_right_password(client, mentor, low_limit):
    for _ in range(low_limit - 1):
        assert _login(client, mentor.email, "wrong-password").status_code == 200
    assert _login(client, mentor.email, "wrong-password").status_code == 429, "the attempt that reaches the limit"
    response = _login(client, mentor.email, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_same_account_can_still_sign_in_from_another_address(client, mentor, low_limit):
    for _ in range(low_limit):
        _login(client, mentor.email, "wrong-password", addr="203.0.113.5")
    response = _login(client, mentor.email, PASSWORD, addr="198.51.100.7")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(mentor.pk)


def test_an_address_guessing_many_accounts_is_locked_out_for_all_of_them(client, group, low_limit):
    people = [member("mentee", group) for _ in range(low_limit)]
    for person in people:
        _login(client, person.email, "wrong-password")
    target = member("mentor", group)
    assert _login(client, target.email, PASSWORD).status_code == 429


def test_a_successful_login_resets_the_count(client, mentor, low_limit):
    for _ in range(low_limit - 1):
        _login(client, mentor.email, "wrong-password")
    assert _login(client, mentor.email, PASSWORD).status_code == 302
    client.logout()
    for _ in range(low_limit - 1):
        _login(client, mentor.email, "wrong-password")
    assert _login(client, mentor.email, PASSWORD).status_code == 302


def test_behind_a_proxy_the_forwarded_client_is_throttled_not_the_proxy(client, mentor, low_limit, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for _ in range(low_limit):
        _login(client, mentor.email, "wrong-password", addr=proxy, HTTP_X_FORWARDED_FOR="203.0.113.5")
    # Someone else behind the same proxy is not locked out...
    response = _login(client, mentor.email, PASSWORD, addr=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 302
    client.logout()
    # ...and the guesser cannot escape by writing their own X-Forwarded-For.
    response = _login(client, mentor.email, PASSWORD, addr=proxy, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5")
    assert response.status_code == 429


def test_a_forwarded_header_is_ignored_when_no_proxy_is_trusted(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "203.0.113.5"


def test_two_trusted_proxies_take_the_second_address_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5, 10.0.0.2")
    assert client_ip(request) == "203.0.113.5"
    short = RequestFactory().get("/", REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert client_ip(short) == "10.0.0.3"


# --- Sessions and the admin ---------------------------------------------------


def test_a_session_expires_after_the_configured_age(client, mentor):
    assert settings.SESSION_COOKIE_AGE <= 60 * 60 * 24
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert _login(client, mentor.email, PASSWORD).status_code == 302
    assert client.get("/profile/").status_code == 200
    # With CACHE_URL, Redis expires the session's cached copy by its own clock, which the time machine
    # does not move: drop it as Redis would have, so the database's expiry date is what is tested.
    cache.clear()
    with time_machine.travel(timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)):
        response = client.get("/profile/")
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_the_admin_login_page_sends_people_to_the_portal_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_posting_a_password_to_the_admin_login_does_not_sign_in(client, staff_user):
    response = client.post("/admin/login/", {"username": staff_user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302

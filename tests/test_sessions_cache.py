"""Sessions read from the shared cache (Django's cached_db engine over mentorship.cache.RedisCache), the database the record.

Run against real Redis (the broker's server, a key prefix of its own, never a
flush). A second test client holding the same cookie stands for a second
browser tab or web process.
"""

import secrets
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from profiles.models import Role
from profiles.tests.factories import member

pytestmark = [pytest.mark.django_db, pytest.mark.redis, pytest.mark.postgres]


def cached_sessions(location=None):
    return override_settings(
        CACHES={
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "sessions": {
                "BACKEND": "mentorship.cache.RedisCache",
                "LOCATION": location or settings.CELERY_BROKER_URL,
                "KEY_PREFIX": f"test-sessions-{secrets.token_hex(6)}",
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            },
        },
        SESSION_ENGINE="django.contrib.sessions.backends.cached_db",
        SESSION_CACHE_ALIAS="sessions",
    )


def session_queries(client, url) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response.status_code, [q["sql"] for q in ctx.captured_queries if "django_session" in q["sql"]]


def same_cookie(client) -> Client:
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return other


def test_a_signed_in_request_reads_its_session_from_the_cache(client, group):
    with cached_sessions():
        client.force_login(member(Role.MENTOR, group))
        url = reverse("matches:mentor_home")
        status, reads = session_queries(client, url)
        assert status == 200
        status, reads = session_queries(client, url)
        assert status == 200
        assert reads == [], "the second request found its session in the cache"


def test_signing_out_ends_the_session_for_every_tab_and_process(client, group):
    with cached_sessions():
        person = member(Role.MENTOR, group)
        client.force_login(person)
        url = reverse("matches:mentor_home")
        other = same_cookie(client)
        assert other.get(url).status_code == 200  # cached now
        key = client.cookies[settings.SESSION_COOKIE_NAME].value
        assert client.post(reverse("account_logout")).status_code == 302
        assert not Session.objects.filter(session_key=key).exists()
        response = other.get(url)
        assert response.status_code == 302 and reverse("account_login") in response["Location"]


def cached_ttl(session_key: str) -> int:
    """Seconds the cached copy of a session has left in Redis (-2: no copy)."""
    cache = caches["sessions"]
    from django.contrib.sessions.backends.cached_db import KEY_PREFIX

    return cache._cache.get_client().ttl(cache.make_and_validate_key(KEY_PREFIX + session_key))


def test_the_cached_copy_of_a_session_expires_no_later_than_the_session(group):
    with cached_sessions():
        from django.contrib.sessions.backends.cached_db import SessionStore

        person = member(Role.MENTOR, group)
        store = SessionStore()
        store[SESSION_KEY] = str(person.pk)
        store["_auth_user_backend"] = "mentorship.security.ModelBackend"
        store["_auth_user_hash"] = person.get_session_auth_hash()
        store.set_expiry(timezone.now() + timedelta(seconds=30))  # as a sign-in sets it: a fixed end
        store.create()
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key
        assert client.get(reverse("matches:mentor_home")).status_code == 200
        assert 0 < cached_ttl(store.session_key) <= 30, "Redis drops the copy when the session ends"
        assert settings.SESSION_COOKIE_AGE > 30


def test_an_expired_session_signs_nobody_in(group):
    with cached_sessions():
        from django.contrib.sessions.backends.cached_db import SessionStore

        person = member(Role.MENTOR, group)
        store = SessionStore()
        store[SESSION_KEY] = str(person.pk)
        store["_auth_user_backend"] = "mentorship.security.ModelBackend"
        store["_auth_user_hash"] = person.get_session_auth_hash()
        store.set_expiry(timezone.now() - timedelta(seconds=1))
        store.create()
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key
        assert client.get(reverse("matches:mentor_home")).status_code == 302


def test_pages_and_sign_out_work_while_the_cache_is_down(client, group):
    with cached_sessions(location="redis://127.0.0.1:9/0"):  # nothing listens on port 9
        client.force_login(member(Role.MENTOR, group))
        url = reverse("matches:mentor_home")
        status, reads = session_queries(client, url)
        assert status == 200 and len(reads) == 1, "read from the database instead"
        assert client.post(reverse("account_logout")).status_code == 302
        assert client.get(url).status_code == 302


def test_signing_in_works_while_the_shared_cache_is_down(client, group):
    """allauth's rate limits and TOTP marks live in the cache: with Redis down they miss, sign-in still works."""
    dead = {"BACKEND": "mentorship.cache.RedisCache", "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}
    with override_settings(CACHES={"default": dead}, SESSION_ENGINE="django.contrib.sessions.backends.cached_db"):
        person = member(Role.MENTOR, group)
        person.set_password("a long enough password")
        person.save()
        from allauth.account.models import EmailAddress

        EmailAddress.objects.update_or_create(user=person, email=person.email, defaults={"verified": True, "primary": True})
        response = client.post(reverse("account_login"), {"login": person.email, "password": "a long enough password"})
        assert response.status_code == 302, response.content.decode()[:500]
        assert client.get(reverse("matches:mentor_home")).status_code == 200
        assert caches["default"].get("anything", "missed") == "missed"

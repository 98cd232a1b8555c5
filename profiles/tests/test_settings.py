import os
import secrets
import subprocess
import sys

from django.conf import settings


def test_production_settings_pass_check_deploy():
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "mentoring.example.org",
    }
    # Set by the browser suite for Playwright's event loop; never in production.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_every_request_is_atomic():
    assert settings.DATABASES["default"]["ATOMIC_REQUESTS"] is True


def test_with_a_shared_cache_sessions_are_read_from_it():
    env = {**os.environ, "DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
           "CACHE_URL": "redis://127.0.0.1:6379/1"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    code = "import django; django.setup(); from django.conf import settings as s; " \
           "print(s.SESSION_ENGINE, s.CACHES['default']['BACKEND'])"
    result = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, capture_output=True, text=True,
                            timeout=120, env={**env, "DJANGO_SETTINGS_MODULE": "mentorship.settings"})
    assert result.stdout.split() == ["django.contrib.sessions.backends.cached_db", "mentorship.cache.RedisCache"], result.stderr
    without = {k: v for k, v in env.items() if k != "CACHE_URL"}
    result = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, capture_output=True, text=True,
                            timeout=120, env={**without, "DJANGO_SETTINGS_MODULE": "mentorship.settings"})
    assert result.stdout.split()[0] == "django.contrib.sessions.backends.db", "no shared cache: database sessions"

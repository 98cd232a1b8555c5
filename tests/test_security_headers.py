"""Response headers: CSP without inline script, framing denied, referrer policy,
and no-store on every page made for a signed-in person."""

import base64
import hashlib
import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def _directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parts = [p.strip().split() for p in header.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


def test_every_page_has_a_policy_that_allows_no_inline_script(client, mentor):
    client.force_login(mentor)
    csp = _directives(client.get("/profile/"))
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["style-src"]
    assert "'unsafe-eval'" not in " ".join(sum(csp.values(), []))
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]


def test_the_emergency_page_inline_style_is_allowed_by_its_exact_hash(client):
    response = client.get("/help/")
    assert response.status_code == 200
    style = re.search(r"<style>(.*?)</style>", response.content.decode(), re.DOTALL).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in _directives(response)["style-src"]


def test_no_template_has_an_inline_script_or_style_attribute():
    offenders = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag:
                offenders.append(f"{path}: inline {tag}")
        if re.search(r"\son\w+\s*=", text):
            offenders.append(f"{path}: inline event handler")
        if re.search(r"\sstyle\s*=", text):
            offenders.append(f"{path}: style attribute")
    assert not offenders, "\n".join(offenders)


def test_pages_cannot_be_framed_and_send_a_referrer_policy(client):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/", "/profile/", "/profile/notifications/", "/profile/edit/"])
def test_a_page_for_a_signed_in_person_is_never_stored(client, mentor, path):
    client.force_login(mentor)
    response = client.get(path, follow=True)
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_emergency_page_stays_publicly_cacheable_for_everyone(client, mentor):
    assert "public" in client.get("/help/")["Cache-Control"]
    client.force_login(mentor)
    cache_control = client.get("/help/")["Cache-Control"]
    assert "public" in cache_control and "no-store" not in cache_control


def test_the_emergency_page_renders_for_a_signed_in_person_with_the_database_gone(client, mentor, django_db_blocker):
    client.force_login(mentor)
    # The session's cached copy gone too (a fresh process, or Redis restarted): reading the
    # session would mean reading the database.
    from django.core.cache import caches

    for alias in settings.CACHES:
        caches[alias].clear()
    # Any database access from here on raises: middleware must not touch the session or user.
    with django_db_blocker.block():
        response = client.get("/help/")
    assert response.status_code == 200
    assert b"911" in response.content or b"988" in response.content
    assert len(response.content) < 8_000, "small enough for a poor connection"


def test_hsts_and_secure_cookies_are_on_in_production():
    from tests.test_security_signin import _manage_shell

    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS >= 31536000, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)"
    )
    assert _manage_shell(code, DJANGO_DEBUG="false") == "True True True True"

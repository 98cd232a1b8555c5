"""Emergency guidance renders with the database, Redis and Celery all down, for
anyone, without JavaScript, and is small enough for a poor phone connection."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.conf import settings

BUDGET = 8_000  # bytes: one small response, no other request needed

SERVER = """
import os, sys
from wsgiref.simple_server import make_server, WSGIRequestHandler
class Quiet(WSGIRequestHandler):
    def log_message(self, *a): pass
from django.core.wsgi import get_wsgi_application
app = get_wsgi_application()
server = make_server("127.0.0.1", int(sys.argv[1]), app, handler_class=Quiet)
print("ready", flush=True)
server.serve_forever()
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _check(html: str) -> None:
    assert 'href="tel:911"' in html and 'href="tel:988"' in html and 'href="sms:988"' in html
    for kind in ("You are thinking of hurting yourself", "Someone is about to hurt themselves",
                 "Someone is abusing a partner or a child", "Someone is planning to hurt another person",
                 "Someone is having a psychotic break"):
        assert kind in html
    assert 'href="tel:18007997233"' in html and 'href="sms:88788?&amp;body=START"' in html
    assert 'href="tel:18004224453"' in html
    assert "Stay with them" in html and "Do not promise to keep it a secret" in html
    assert "<script" not in html and "<link" not in html  # nothing else to load, no JavaScript


def test_the_emergency_page_renders_for_anyone_with_the_numbers_first(client):
    response = client.get("/help/")
    html = response.content.decode()
    assert response.status_code == 200
    _check(html)
    assert html.index("tel:911") < html.index("What is happening?")
    assert len(response.content) < BUDGET


def test_the_emergency_page_needs_no_database(client, django_db_blocker):
    with django_db_blocker.block():
        response = client.get("/help/")
    assert response.status_code == 200
    _check(response.content.decode())


def test_the_emergency_page_numbers_are_configurable_per_program(client, settings):
    settings.EMERGENCY_SERVICES = "112"
    settings.DV_HOTLINE = "0808 2000 247"
    html = client.get("/help/").content.decode()
    assert 'href="tel:112"' in html and 'href="tel:08082000247"' in html and "tel:911" not in html


@pytest.mark.parametrize("stopped", ["database", "redis and celery", "everything"])
def test_a_server_with_its_services_stopped_still_serves_the_emergency_page(stopped):
    """A real server process whose database and/or broker point at a port nobody listens on."""
    dead = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mentorship.settings", "CELERY_TASK_ALWAYS_EAGER": "false"}
    if stopped in ("database", "everything"):
        env["DATABASE_URL"] = f"postgres://nobody@127.0.0.1:{dead}/gone"
    if stopped in ("redis and celery", "everything"):
        env["CELERY_BROKER_URL"] = f"redis://127.0.0.1:{dead}/0"
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], cwd=settings.BASE_DIR, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready", "the server did not start"
        for _ in range(50):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/help/", timeout=5) as response:
                    status, body = response.status, response.read()
                break
            except ConnectionRefusedError:
                time.sleep(0.1)
        assert status == 200
        _check(body.decode())
        assert len(body) < BUDGET
    finally:
        proc.terminate()
        proc.wait(10)

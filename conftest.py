"""Shared fixtures: one person per role, and the rules for service-backed tests.

Every test runs on PostgreSQL: DATABASE_URL's server, or the embedded one that
`make test` (mentorship/devdb.py) starts. The `postgres` marker only documents
that a test proves database behaviour (locks, constraints, concurrency).
Tests marked `redis` or `browser` need that service. Locally they are skipped
with a reason when it is missing; with REQUIRE_SERVICES=1 (CI) a missing service
fails the test instead, so CI can never pass by skipping.
"""

import os
import shutil

import pytest
from celery.signals import task_postrun, task_prerun
from django.conf import settings
from django.db import connection
from zeal import setup as zeal_setup
from zeal import teardown as zeal_teardown

from mentorship.celery import app as celery_app

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def _redis_available() -> bool:
    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis://"):
        return False
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001
        return False


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


def _missing_service(item) -> str | None:
    if item.get_closest_marker("redis") and not _redis_available():
        return "needs Redis: set CELERY_BROKER_URL=redis://... (or run Redis on 127.0.0.1:6379)"
    if item.get_closest_marker("browser") and not chromium_path():
        return "needs Chromium: apt-get install chromium (the browser suite drives Debian's chromium)"
    return None


def pytest_runtest_setup(item):
    reason = _missing_service(item)
    if reason:
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
        pytest.skip(reason)


def pytest_report_header(config):
    db = connection.settings_dict
    return [
        f"database: {db.get('NAME')} on {db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}",
        f"broker: {settings.CELERY_BROKER_URL.split('@')[-1]}; redis tests {'on' if _redis_available() else 'off'}",
        f"browser: {chromium_path() or 'not installed (browser suite skipped; apt-get install chromium)'}",
    ]


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = terminalreporter.stats.get("skipped", [])
    if skipped and not REQUIRE_SERVICES:
        terminalreporter.write_line(
            f"NOTE: {len(skipped)} tests skipped because a service is missing (see reasons above); "
            "CI runs them all on Postgres, Redis and Chromium."
        )


# N+1 detection (django-zeal, installed by mentorship/test_settings.py): every request
# (its middleware) and every Celery task run by the tests (these signals) is one unit
# of work, in which reading a relation once per row, or the same .get() again and
# again, raises zeal.NPlusOneError and fails the test. Test bodies themselves are not
# one unit: a test that calls a service twice would be "an N+1" of that service's
# single .get(), so set-up and checks outside a request or task are not watched.
_zeal_tokens: dict[str, object] = {}


@task_prerun.connect(weak=False)
def _zeal_task_start(task_id=None, **kwargs):
    _zeal_tokens[task_id] = zeal_setup()


@task_postrun.connect(weak=False)
def _zeal_task_end(task_id=None, **kwargs):
    zeal_teardown(_zeal_tokens.pop(task_id, None))


@pytest.fixture(autouse=True)
def _fast_and_eager(settings):
    """Fast password hashing; Celery tasks run inline unless a test uses a real worker."""
    from django.core.cache import cache

    from profiles.program import program_settings_forget

    # Rate limits (allauth) live in the cache: one test's sign-ups must not throttle the next's.
    cache.clear()
    # Every test starts from a database with no program settings row: the environment's values apply.
    program_settings_forget(assume_no_row=True)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SITE_URL = "http://testserver"
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def group(db):
    from profiles.tests.factories import SupportGroupFactory

    return SupportGroupFactory()


@pytest.fixture
def other_group(db):
    from profiles.tests.factories import SupportGroupFactory

    return SupportGroupFactory()


def _person(role, group):
    from profiles.tests.factories import member

    return member(role, group)


@pytest.fixture
def mentee(group):
    return _person("mentee", group)


@pytest.fixture
def mentor(group):
    return _person("mentor", group)


@pytest.fixture
def mea(group):
    return _person("mea", group)


@pytest.fixture
def coordinator(group):
    return _person("coordinator", group)


@pytest.fixture
def staff_user(group):
    return _person("staff", group)


@pytest.fixture
def plain_member(group):
    from profiles.tests.factories import member

    return member(None, group)


def test_database_url() -> str:
    """The URL of the database the tests are using, for processes we start (workers, servers)."""
    from urllib.parse import quote

    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    if (db["HOST"] or "").startswith("/"):  # a unix socket's folder (the embedded server)
        return f"postgres://{auth}@/{db['NAME']}?host={quote(db['HOST'])}"
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


test_database_url.__test__ = False  # not a test


@pytest.fixture
def celery_worker_process(transactional_db):
    """A real Celery worker process on the Redis broker, using the test database.

    Tests that use it are marked `redis` and `postgres`. Tasks sent with
    `.delay()` during the test go to this worker (eager mode is off).
    """
    import subprocess
    import sys
    import threading
    import time

    celery_app.control.purge()
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": os.environ.get("TEST_WORKER_EMAIL_URL", "consolemail://"),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "mentorship", "worker", "--pool=solo", "--loglevel=INFO",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    lines: list[str] = []
    ready = threading.Event()

    def read():
        for line in proc.stdout:
            lines.append(line)
            if "ready." in line:
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(60):
        proc.kill()
        pytest.fail("Celery worker did not start:\n" + "".join(lines[-30:]))
    celery_app.conf.task_always_eager = False
    proc.output = lines
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        time.sleep(0.1)


def wait_until(predicate, timeout: float = 30.0, interval: float = 0.2) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


@pytest.fixture
def dead_broker():
    """The broker is down: publishing fails fast, as with Redis stopped (nothing listens on port 1).

    Only this process's publishing is pointed there (tests/faults.py, publish_to):
    later tests and real workers keep talking to the real broker.
    """
    from tests.faults import publish_to

    undo = publish_to("redis://127.0.0.1:1/0")
    try:
        yield
    finally:
        undo()


@pytest.fixture
def smtp_server(settings):
    """A local SMTP server (the outer edge we fake, tests/faults.py) behind Django's production SMTP backend,
    for tests where delivery is what is tested (rather than the locmem `mailoutbox`)."""
    from tests.faults import FakeSMTP

    server = FakeSMTP()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    try:
        yield server
    finally:
        server.close()

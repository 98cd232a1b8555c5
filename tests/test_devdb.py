"""`python -m mentorship.devdb run -- COMMAND`, what make run/test/bench run under:
COMMAND gets the database's URL, and a SIGTERM (to `make run`) reaches it at once."""

import os
import signal
import subprocess
import sys

import pytest
from django.conf import settings

from conftest import test_database_url

CHILD = (
    "import os, signal, sys, time\n"
    "signal.signal(signal.SIGTERM, lambda *a: sys.exit(7))\n"
    "print(os.environ['DATABASE_URL'], flush=True)\n"
    "time.sleep(120)\n"
)


@pytest.mark.django_db
def test_a_command_run_under_devdb_gets_the_url_and_a_sigterm_stops_it_at_once():
    url = test_database_url()
    proc = subprocess.Popen(  # noqa: S603 - our own module
        [sys.executable, "-m", "mentorship.devdb", "run", "--", sys.executable, "-c", CHILD],
        cwd=settings.BASE_DIR, env={**os.environ, "DATABASE_URL": url}, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout.readline().strip() == url
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 7  # the command's own exit status, passed on
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()


@pytest.mark.django_db
def test_a_command_run_under_devdb_chooses_its_own_settings_module():
    """`make test` runs pytest under devdb: pytest must read pytest.ini's test settings, and
    `make bench` its bench settings, not the default the mentorship package's import set."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    out = subprocess.run(  # noqa: S603 - our own module
        [sys.executable, "-m", "mentorship.devdb", "run", "--", sys.executable, "-c",
         "import os; print(os.environ.get('DJANGO_SETTINGS_MODULE'))"],
        cwd=settings.BASE_DIR, env={**env, "DATABASE_URL": test_database_url()}, capture_output=True, text=True,
        timeout=60, check=True,
    ).stdout.strip()
    assert out == "None"

"""What a newcomer meets first: the program's name in emails and titles, where
development emails go, the favicon, and a database that is created when missing."""

import email
import subprocess
import sys

import psycopg2
import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from mentorship import devdb

pytestmark = pytest.mark.django_db


def _signup(client, django_capture_on_commit_callbacks, address):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"),
                    {"email": address, "password1": "a-long-passphrase-42", "password2": "a-long-passphrase-42"})


def test_the_verification_email_a_new_member_gets_is_signed_with_the_program_name(
    client, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.PROGRAM_NAME = "Harbour Peer Support"
    _signup(client, django_capture_on_commit_callbacks, "newcomer@example.org")
    body = mailoutbox[-1].body
    assert "Hello from Harbour Peer Support!" in body
    assert "Thank you for using Harbour Peer Support!" in body
    assert "from !" not in body


def test_someone_without_an_account_asking_for_a_reset_reads_the_program_name(
    client, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.PROGRAM_NAME = "Harbour Peer Support"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "stranger@example.org"})
    body = mailoutbox[-1].body
    assert "Harbour Peer Support" in body
    assert " on ." not in body and "from !" not in body


def test_a_signed_in_page_and_the_staff_console_carry_the_program_name(client, staff_user):
    client.force_login(staff_user)
    page = client.get(reverse("home"), follow=True).content.decode()
    assert f"· {settings.PROGRAM_NAME}</title>" in page
    assert f"{settings.PROGRAM_NAME} — staff console" in client.get("/admin/").content.decode()


def test_every_page_links_the_favicon_and_favicon_ico_answers(client):
    page = client.get(reverse("account_login")).content.decode()
    assert 'rel="icon"' in page and "favicon.svg" in page
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_development_emails_are_written_to_var_mail_as_eml_files(tmp_path, settings):
    settings.EMAIL_BACKEND = "mentorship.mail.EmlFolderBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    mail.send_mail("Your check-in is due", "See the portal.", settings.DEFAULT_FROM_EMAIL, ["mea@example.org"])
    (written,) = (tmp_path / "mail").glob("*.eml")
    message = email.message_from_bytes(written.read_bytes())
    assert message["To"] == "mea@example.org"
    assert message["Subject"] == "Your check-in is due"
    assert settings.PROGRAM_NAME in message["From"]


def test_a_missing_database_is_created_and_an_unreachable_server_is_a_plain_message(db):
    from django.db import connection

    from conftest import test_database_url

    name = f"{connection.settings_dict['NAME']}_created"
    url = test_database_url().replace(f"/{connection.settings_dict['NAME']}", f"/{name}", 1)
    try:
        devdb.ensure_database(url)
        devdb.ensure_database(url)  # the second time it is simply there
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            assert cursor.fetchone()
    finally:
        db = connection.settings_dict
        admin = psycopg2.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
                                 password=db["PASSWORD"] or None, dbname="postgres")
        admin.autocommit = True  # DROP DATABASE runs outside a transaction
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()

    dead = subprocess.run(  # noqa: S603 - our own module
        [sys.executable, "-m", "mentorship.devdb", "ensure"], cwd=settings.BASE_DIR, capture_output=True, text=True,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgres://nobody@127.0.0.1:1/gone"}, timeout=60,
    )
    assert dead.returncode != 0
    assert "Cannot reach the PostgreSQL of DATABASE_URL (127.0.0.1:1" in dead.stderr
    assert "Traceback" not in dead.stderr

"""The first staff account: one command, idempotent, a program role (not a superuser)."""

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from profiles.models import Role, User

pytestmark = pytest.mark.django_db


def test_the_command_creates_a_verified_program_staff_member_who_is_not_a_superuser(client, settings):
    settings.MFA_ENFORCE = False
    call_command("create_staff", email="Director@Program.example", password="a-long-enough-pass-42")
    user = User.objects.get(email="director@program.example")
    assert user.is_program_staff and user.is_staff and not user.is_superuser
    assert EmailAddress.objects.get(user=user).verified
    response = client.post("/accounts/login/", {"login": "director@program.example", "password": "a-long-enough-pass-42"})
    assert response.status_code == 302
    assert client.get("/admin/profiles/supportgroup/add/").status_code == 200


def test_running_it_again_changes_nothing_but_the_password_given(settings):
    call_command("create_staff", email="director@program.example", password="a-long-enough-pass-42")
    call_command("create_staff", email="director@program.example", no_input=True)
    user = User.objects.get(email="director@program.example")
    assert user.check_password("a-long-enough-pass-42")
    assert user.role_grants.filter(role=Role.STAFF, ended_at=None).count() == 1
    call_command("create_staff", email="director@program.example", password="another-long-pass-43")
    user.refresh_from_db()
    assert user.check_password("another-long-pass-43") and User.objects.count() == 1


def test_a_weak_password_or_a_bad_address_is_refused_and_nothing_is_created():
    with pytest.raises(CommandError, match="too short"):
        call_command("create_staff", email="director@program.example", password="short")
    with pytest.raises(CommandError, match="not an email address"):
        call_command("create_staff", email="not-an-address", password="a-long-enough-pass-42")
    assert not User.objects.exists()


def test_without_a_password_it_prompts_twice(monkeypatch):
    answers = iter(["a-long-enough-pass-42", "a-long-enough-pass-42"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    call_command("create_staff", email="director@program.example")
    assert User.objects.get(email="director@program.example").check_password("a-long-enough-pass-42")

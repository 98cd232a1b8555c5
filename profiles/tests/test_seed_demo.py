import pytest
from django.apps import apps
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def _row_counts():
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label in
            {"profiles", "matches", "support", "escalations", "account"}}


def test_seed_demo_twice_gives_the_same_rows(capsys):
    call_command("seed_demo")
    first = _row_counts()
    out = capsys.readouterr().out
    call_command("seed_demo")
    assert _row_counts() == first
    assert "demo-mentorship-2026" in out and "mentor@example.org" in out


def test_the_demo_mentor_can_sign_in(client):
    call_command("seed_demo")
    assert client.login(username="mentor@example.org", password="demo-mentorship-2026")
    response = client.get("/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/matches/mentor/"


def test_seed_demo_covers_every_role():
    call_command("seed_demo")
    from profiles.models import RoleGrant

    assert set(RoleGrant.objects.values_list("role", flat=True)) == {"mentee", "mentor", "mea", "coordinator", "staff"}

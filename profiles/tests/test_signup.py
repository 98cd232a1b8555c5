import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from notifications.models import Delivery
from profiles.models import User

pytestmark = pytest.mark.django_db


def _signup(client, django_capture_on_commit_callbacks, email="newcomer@example.org"):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            reverse("account_signup"),
            {"email": email, "password1": "a-long-passphrase-42", "password2": "a-long-passphrase-42"},
        )


def test_a_new_member_signs_up_verifies_the_emailed_link_and_logs_in(client, mailoutbox, django_capture_on_commit_callbacks):
    response = _signup(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    user = User.objects.get(email="newcomer@example.org")
    assert not EmailAddress.objects.get(user=user).verified
    assert hasattr(user, "profile"), "a profile is created at sign-up"

    # Mandatory verification: signing in before confirming is not possible.
    client.logout()
    response = client.post(reverse("account_login"), {"login": user.email, "password": "a-long-passphrase-42"})
    assert response.status_code == 302 and "confirm-email" in response.url

    assert len(mailoutbox) >= 1
    link = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/", mailoutbox[-1].body).group(0)
    path = link.split("testserver", 1)[-1]
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified

    client.logout()
    response = client.post(reverse("account_login"), {"login": user.email, "password": "a-long-passphrase-42"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_signup_emails_go_through_the_outbox_and_are_marked_sent(client, mailoutbox, django_capture_on_commit_callbacks):
    _signup(client, django_capture_on_commit_callbacks, "outbox@example.org")
    email = Delivery.objects.get(to="outbox@example.org")
    assert email.sent_at is not None
    assert mailoutbox[-1].to == ["outbox@example.org"]


def test_a_signup_with_mismatched_passwords_shows_a_message_and_creates_nobody(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "typo@example.org", "password1": "a-long-passphrase-42", "password2": "another-one-42"},
    )
    assert response.status_code == 200
    assert b"same password" in response.content
    assert not User.objects.filter(email="typo@example.org").exists()


def test_signup_login_and_password_pages_are_styled_with_the_site_layout(client):
    for name in ("account_signup", "account_login", "account_reset_password"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert b"bootstrap.min.css" in response.content
        assert b"Get help now" in response.content

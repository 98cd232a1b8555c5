"""No secret stays readable: a link that signs someone in, resets a password or answers
a proposal is kept only until the mail server accepted it (issue 16)."""

import re

import pytest
from django.urls import reverse

from matches.models import Proposal
from matches.services import proposal_create
from matches.tests.factories import approved_mentor
from notifications.models import Delivery, Notice
from profiles.models import Role
from profiles.tests.factories import member

pytestmark = pytest.mark.django_db


def _stored_text() -> str:
    """Everything the outbox and the portal notices hold, as one text."""
    return str(list(Delivery.objects.values())) + str(list(Notice.objects.values()))


def test_a_password_reset_key_is_not_stored_once_the_mail_server_accepted_it(
    client, group, smtp_server, django_capture_on_commit_callbacks
):
    person = member(Role.MENTEE, group)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": person.email})
    assert response.status_code == 302
    ((to, subject),) = smtp_server.received()
    assert to == person.email
    row = Delivery.objects.get(to=person.email)
    assert row.status == Delivery.Status.SENT and row.secret
    assert row.subject == subject and (row.body_text, row.body_html) == ("", ""), "kept: who, what kind, when"
    assert "password/reset/key" not in _stored_text()


def test_a_reset_key_waits_readable_only_while_the_mail_server_refuses(
    client, group, smtp_server, django_capture_on_commit_callbacks
):
    person = member(Role.MENTEE, group)
    smtp_server.refusing, smtp_server.refuse_with = True, "554 transaction failed"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": person.email})
    row = Delivery.objects.get(to=person.email)
    assert row.status == Delivery.Status.PENDING and "password/reset/key" in row.body_text, "kept to be sent"


def test_signed_proposal_links_are_not_stored_once_delivered(
    group, coordinator, smtp_server, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mentor, mentee = approved_mentor(group), member(Role.MENTEE, group)
    with django_capture_on_commit_callbacks(execute=True):
        proposal_create(mentor=mentor, mentee=mentee, by=coordinator, kind=Proposal.Kind.COORDINATOR,
                        reason="Both in Harbor")
    tokens = set()
    for message in mailoutbox:
        tokens.update(re.findall(r"/matches/link/([^/\s\"]+)/", message.body))
    assert len(tokens) == 4, "accept and decline links for each side were sent"
    stored = _stored_text()
    assert not [t for t in tokens if t in stored]
    assert Delivery.objects.filter(secret=True, status=Delivery.Status.SENT).count() == 2


def test_staff_see_delivery_status_but_never_a_body_in_the_admin(client, group, staff_user):
    row = Delivery.objects.create(to="someone@example.org", subject="Reset your password",
                                  body_text="BODY-MARKER key", secret=True)
    client.force_login(staff_user)
    page = client.get(reverse("admin:notifications_delivery_change", args=[row.pk])).content.decode()
    assert "Reset your password" in page and "BODY-MARKER" not in page
    listing = client.get(reverse("admin:notifications_delivery_changelist")).content.decode()
    assert "BODY-MARKER" not in listing

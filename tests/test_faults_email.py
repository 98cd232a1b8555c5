"""Faults at the edges: email sending fails, the broker is unreachable. The
outbox row survives, the request that queued it succeeds, and the beat drain
delivers it once things work again."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications.delivery import deliver_many
from notifications.models import Delivery
from notifications.services import email_queue
from notifications.tasks import outbox_drain

pytestmark = pytest.mark.django_db


class BrokenSMTP:
    """An email backend whose server refuses everything (the outer edge we fake)."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("smtp down")

    def open(self):
        return True

    def close(self):
        pass


@pytest.fixture
def broken_smtp(settings):
    settings.EMAIL_BACKEND = "tests.test_faults_email.BrokenSMTP"


def test_a_failed_send_keeps_the_email_in_the_outbox_and_the_drain_delivers_it_later(
    broken_smtp, settings, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = email_queue(to="someone@example.org", subject="Check-in due", body_text="Please check in.")
    for callback in callbacks:
        callback()  # the eager delivery task fails; it must not lose the row
    email.refresh_from_db()
    assert email.sent_at is None and email.last_error == "ConnectionRefusedError"
    assert email.attempts >= 1 and email.claim is None, "the lease is released for the next try"

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Delivery.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=5))
    assert outbox_drain()["sent"] == 1
    email.refresh_from_db()
    assert email.sent_at is not None
    assert [m.subject for m in mail.outbox] == ["Check-in due"]
    assert outbox_drain()["sent"] == 0, "sent once, never again"


def test_a_failed_email_is_never_marked_sent(broken_smtp):
    email = Delivery.objects.create(to="a@example.org", subject="s", body_text="b")
    assert deliver_many([email.pk]) == (0, 1)
    email.refresh_from_db()
    assert email.status == Delivery.Status.PENDING and email.sent_at is None


def test_with_the_broker_down_a_request_that_queues_email_succeeds_and_the_row_is_saved(
    client, dead_broker, mailoutbox, django_capture_on_commit_callbacks, broker_calls
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {"email": "newcomer@example.org", "password1": "a-long-passphrase-42", "password2": "a-long-passphrase-42"},
        )
    assert response.status_code == 302
    assert 1 <= len(broker_calls) <= 4, "a dead broker must not hang the request: one enqueue, given up after a retry"
    row = Delivery.objects.get(to="newcomer@example.org")
    assert row.sent_at is None, "not sent yet: the broker never got the task"


def test_after_the_broker_outage_the_drain_sends_what_was_left(dead_broker, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        email_queue(to="left@example.org", subject="Reminder", body_text="x")
    assert outbox_drain()["sent"] == 1
    assert [m.to for m in mailoutbox] == [["left@example.org"]]

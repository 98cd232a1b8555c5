import pytest
from django.db import transaction

from conftest import wait_until
from profiles.models import OutboundEmail
from profiles.services import email_queue
from profiles.tasks import deliver, drain_email_outbox


def _queue(to="someone@example.org", **kw):
    return email_queue(to=to, subject="A check-in is due", body_text="Open the portal.", **kw)


@pytest.mark.django_db(transaction=True)
def test_a_task_queued_in_a_transaction_runs_only_after_commit(mailoutbox):
    with transaction.atomic():
        email = _queue()
        assert mailoutbox == [], "nothing is sent while the transaction is open"
    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert email.sent_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_sends_nothing(mailoutbox):
    with pytest.raises(RuntimeError), transaction.atomic():
        _queue()
        raise RuntimeError("the change failed")
    assert mailoutbox == []
    assert not OutboundEmail.objects.exists()


@pytest.mark.django_db
def test_an_email_is_queued_once_per_dedupe_key(django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        assert _queue(dedupe_key="reminder:1") is not None
        assert _queue(dedupe_key="reminder:1") is None
    assert OutboundEmail.objects.count() == 1 and len(mailoutbox) == 1


@pytest.mark.django_db
def test_delivering_twice_sends_once(mailoutbox):
    email = OutboundEmail.objects.create(to="a@example.org", subject="s", body_text="b")
    assert deliver(email.pk) == "sent"
    assert deliver(email.pk) == "skipped"
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_a_failed_send_is_kept_and_the_drain_sends_it_later(settings, mailoutbox, time_machine):
    from datetime import timedelta

    from django.utils import timezone

    email = OutboundEmail.objects.create(to="a@example.org", subject="s", body_text="b")
    settings.EMAIL_BACKEND = "profiles.tests.test_tasks.BrokenBackend"
    with pytest.raises(ConnectionError):
        deliver(email.pk)
    email.refresh_from_db()
    assert email.sent_at is None and email.last_error == "ConnectionError"

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    time_machine.move_to(timezone.now() + timedelta(minutes=2))
    assert drain_email_outbox() == 1
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_the_broker_being_down_loses_no_email(monkeypatch, django_capture_on_commit_callbacks, mailoutbox, time_machine):
    from datetime import timedelta

    from django.utils import timezone

    from profiles import tasks

    def broker_down(*args, **kwargs):
        raise OSError("Error 111 connecting to redis")

    monkeypatch.setattr(tasks.deliver_email, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        email = _queue()
    assert OutboundEmail.objects.get(pk=email.pk).sent_at is None
    time_machine.move_to(timezone.now() + timedelta(minutes=2))
    drain_email_outbox()
    assert OutboundEmail.objects.get(pk=email.pk).sent_at is not None
    assert len(mailoutbox) == 1


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("SMTP down")


@pytest.mark.postgres
@pytest.mark.redis
def test_a_task_round_trips_through_a_real_celery_worker_on_redis(celery_worker_process):
    with transaction.atomic():
        email = _queue(to="worker@example.org")
    assert wait_until(lambda: OutboundEmail.objects.get(pk=email.pk).sent_at is not None, timeout=30), (
        "the worker did not deliver:\n" + "".join(celery_worker_process.output[-20:])
    )
    assert any("deliver_email" in line and "succeeded" in line for line in celery_worker_process.output)

"""Outbox emails delivered in batches: one SMTP connection per batch, each email once."""

from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from profiles import tasks
from profiles.models import OutboundEmail
from profiles.services import email_deliver_batch, email_queue
from profiles.tasks import BatchNotSent, deliver_many, drain_email_outbox

pytestmark = pytest.mark.django_db


class CountingBackend(EmailBackend):
    """locmem, counting how many connections were made and opened (the mail edge only)."""

    instances = 0
    opened = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        type(self).instances += 1

    def open(self):
        type(self).opened += 1
        return super().open()


class RefusesBobBackend(EmailBackend):
    """Accepts every message except those to bob@ (a recipient the SMTP server refuses)."""

    def send_messages(self, messages):
        if any("bob@example.org" in m.to for m in messages):
            raise ConnectionError("recipient refused")
        return super().send_messages(messages)


class DownBackend(EmailBackend):
    def open(self):
        raise ConnectionError("SMTP down")


@pytest.fixture
def counting(settings):
    settings.EMAIL_BACKEND = "profiles.tests.test_batch_delivery.CountingBackend"
    CountingBackend.instances = CountingBackend.opened = 0
    return CountingBackend


def _emails(n, **kw):
    return [
        email_queue(to=f"person{i}@example.org", subject="A check-in is due", body_text="Open the portal.",
                    deliver=False, **kw)
        for i in range(n)
    ]


def test_a_batch_of_emails_goes_out_over_one_connection(counting, mailoutbox):
    emails = _emails(25)
    assert deliver_many([e.pk for e in emails]) == 25
    assert counting.instances == 1 and counting.opened == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(e.to for e in emails)
    assert not OutboundEmail.objects.filter(sent_at=None).exists()
    assert not OutboundEmail.objects.exclude(claimed_until=None).exists(), "every lease released"


def test_a_batch_delivered_twice_sends_each_email_once(counting, mailoutbox):
    ids = [e.pk for e in _emails(5)]
    assert deliver_many(ids) == 5
    assert deliver_many(ids + ids) == 0
    assert len(mailoutbox) == 5


def test_emails_leased_by_another_worker_are_left_to_it(mailoutbox):
    ids = [e.pk for e in _emails(3)]
    OutboundEmail.objects.filter(pk=ids[0]).update(claimed_until=timezone.now() + timedelta(minutes=5))
    assert deliver_many(ids) == 2
    assert OutboundEmail.objects.get(pk=ids[0]).sent_at is None


def test_queued_without_delivery_nothing_is_sent_until_the_batch_is_queued(
    django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        emails = _emails(3)
    assert callbacks == [] and mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        email_deliver_batch([e.pk for e in emails])
    assert len(mailoutbox) == 3


def test_a_refused_email_is_left_for_the_drain_and_the_others_are_sent(settings, mailoutbox, time_machine):
    settings.EMAIL_BACKEND = "profiles.tests.test_batch_delivery.RefusesBobBackend"
    alice = email_queue(to="alice@example.org", subject="s", body_text="b", deliver=False)
    bob = email_queue(to="bob@example.org", subject="s", body_text="b", deliver=False)
    with pytest.raises(BatchNotSent):
        deliver_many([alice.pk, bob.pk])
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert alice.sent_at is not None
    assert bob.sent_at is None and bob.claimed_until is None and bob.last_error == "ConnectionError"
    assert [m.to for m in mailoutbox] == [["alice@example.org"]]

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    time_machine.move_to(timezone.now() + timedelta(minutes=2))
    assert drain_email_outbox() == 1
    assert [m.to for m in mailoutbox] == [["alice@example.org"], ["bob@example.org"]]


def test_a_server_that_is_down_keeps_the_whole_batch_for_the_drain(settings, mailoutbox, time_machine):
    settings.EMAIL_BACKEND = "profiles.tests.test_batch_delivery.DownBackend"
    ids = [e.pk for e in _emails(4)]
    with pytest.raises(BatchNotSent):
        deliver_many(ids)
    assert OutboundEmail.objects.filter(sent_at=None, claimed_until=None, last_error="ConnectionError").count() == 4

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    time_machine.move_to(timezone.now() + timedelta(minutes=2))
    assert drain_email_outbox() == 4
    assert len(mailoutbox) == 4


def test_the_drain_sends_in_batches_over_one_connection_each(counting, mailoutbox, time_machine, monkeypatch):
    monkeypatch.setattr(tasks, "BATCH", 10)
    _emails(25)
    time_machine.move_to(timezone.now() + timedelta(minutes=2))
    assert drain_email_outbox() == 25
    assert counting.opened == 3 and len(mailoutbox) == 25


def test_the_broker_being_down_leaves_the_batch_to_the_drain(
    monkeypatch, django_capture_on_commit_callbacks, mailoutbox, time_machine
):
    def broker_down(*args, **kwargs):
        raise OSError("Error 111 connecting to redis")

    monkeypatch.setattr(tasks.deliver_email_batch, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        email_deliver_batch([e.pk for e in _emails(2)])
    assert mailoutbox == []
    time_machine.move_to(timezone.now() + timedelta(minutes=2))
    assert drain_email_outbox() == 2


def test_the_batch_task_asks_for_a_retry_and_the_retry_sends_the_batch(settings, mailoutbox):
    settings.EMAIL_BACKEND = "profiles.tests.test_batch_delivery.DownBackend"
    ids = [e.pk for e in _emails(2)]
    with pytest.raises(Retry):
        tasks.deliver_email_batch.apply(args=[ids])
    assert OutboundEmail.objects.filter(sent_at=None, claimed_until=None, attempts=1).count() == 2

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert tasks.deliver_email_batch.apply(args=[ids]).get() == 2
    assert len(mailoutbox) == 2


class DiesAfterSeven(EmailBackend):
    """Accepts seven messages, then the worker process is killed (SystemExit is not caught as a send error)."""

    def send_messages(self, messages):
        if len(mail.outbox) >= 7:
            raise SystemExit("worker killed")
        return super().send_messages(messages)


def test_a_worker_killed_mid_batch_resends_only_what_was_not_marked_sent(settings, monkeypatch):
    settings.EMAIL_BACKEND = "profiles.tests.test_batch_delivery.DiesAfterSeven"
    monkeypatch.setattr(tasks, "MARK_EVERY", 3)
    ids = [e.pk for e in _emails(10)]
    with pytest.raises(SystemExit):
        deliver_many(ids)
    assert len(mail.outbox) == 7
    # Marked as accepted, in chunks of three: six; the seventh was accepted but not yet marked.
    assert OutboundEmail.objects.filter(sent_at__isnull=False).count() == 6
    assert deliver_many(ids) == 0, "the rest are still leased to the dead worker"
    OutboundEmail.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))  # the lease ran out
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliver_many(ids) == 4
    received = [m.to[0] for m in mail.outbox]
    assert sorted(set(received)) == sorted(f"person{i}@example.org" for i in range(10))
    assert len(received) == 11, "only the one accepted after the last mark went twice (at-least-once)"


@pytest.fixture
def smtp_sink(settings):
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives."""
    from aiosmtpd.controller import Controller

    from tests.faults import free_port

    class Keep:
        received: list = []

        async def handle_DATA(self, server, session, envelope):
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
            return "250 OK"

    handler = Keep()
    handler.received = []
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield handler.received
    finally:
        controller.stop()


def test_over_smtp_each_email_arrives_as_django_would_write_it(smtp_sink, settings):
    from email import message_from_bytes

    settings.DEFAULT_FROM_EMAIL = "Mentorship Program <no-reply@example.org>"
    plain = email_queue(to="ann@example.org", subject="A check-in is due", body_text="Hello,\n\n.Open the portal.\n",
                        body_html="<p>Hello,</p>\n<p>Open the portal.</p>", deliver=False)
    text_only = email_queue(to="bo@example.org", subject="Due", body_text="Open it.", deliver=False)
    accented = email_queue(to="cy@example.org", subject="Rappel : séance à venir", body_text="Ouvrez le portail.",
                           deliver=False)
    assert tasks._raw_message(plain) is not None and tasks._raw_message(accented) is None, "ASCII is written directly"
    assert deliver_many([plain.pk, text_only.pk, accented.pk]) == 3
    assert not OutboundEmail.objects.filter(sent_at=None).exists()
    by_to = {rcpt[0]: (sender, message_from_bytes(content)) for sender, rcpt, content in smtp_sink}
    assert set(by_to) == {"ann@example.org", "bo@example.org", "cy@example.org"}
    for email in (plain, text_only, accented):
        sender, got = by_to[email.to]
        want = message_from_bytes(tasks._message(email).message().as_bytes(linesep="\r\n"))  # as Django's SMTP sends
        assert sender == "no-reply@example.org"
        for header in ("Subject", "From", "To", "MIME-Version", "Content-Type"):
            assert str(got[header]).split(";")[0] == str(want[header]).split(";")[0], header
        assert got["Message-ID"] and got["Date"]
        # (SMTP ends the DATA with CRLF whoever wrote the message: a text-only body gains one on the wire.)
        got_parts = [(p.get_content_type(), p.get_payload(decode=True).rstrip(b"\r\n")) for p in got.walk()
                     if not p.is_multipart()]
        want_parts = [(p.get_content_type(), p.get_payload(decode=True).rstrip(b"\r\n")) for p in want.walk()
                      if not p.is_multipart()]
        assert got_parts == want_parts


def test_a_large_batch_goes_out_over_a_few_connections_each_email_once(counting, monkeypatch):
    monkeypatch.setattr(tasks, "MARK_EVERY", 7)
    ids = [e.pk for e in _emails(250)]
    assert deliver_many(ids) == 250
    assert counting.opened == 2, "250 emails, at least 100 per connection"
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"person{i}@example.org" for i in range(250))
    assert not OutboundEmail.objects.filter(sent_at=None).exists()
    assert not OutboundEmail.objects.exclude(claimed_until=None).exists()
    assert deliver_many(ids) == 0 and len(mail.outbox) == 250


def test_by_default_a_worker_killed_mid_batch_sends_nobody_the_same_email_twice(settings):
    # Each accepted email is marked sent before the next one goes: killed after seven,
    # the seven are marked and the second delivery sends exactly the other three.
    settings.EMAIL_BACKEND = "profiles.tests.test_batch_delivery.DiesAfterSeven"
    ids = [e.pk for e in _emails(10)]
    with pytest.raises(SystemExit):
        deliver_many(ids)
    assert OutboundEmail.objects.filter(sent_at__isnull=False).count() == 7
    OutboundEmail.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))  # the lease ran out
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliver_many(ids) == 3
    received = sorted(m.to[0] for m in mail.outbox)
    assert received == sorted(f"person{i}@example.org" for i in range(10)), "each once"

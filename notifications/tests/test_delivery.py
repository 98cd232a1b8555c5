"""The outbox delivers each email once it is accepted, keeps what was not, and never loses a row."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.utils import timezone

from notifications import delivery, tasks
from notifications.models import Delivery
from notifications.services import email_deliver_batch, email_queue, email_queue_many

pytestmark = pytest.mark.django_db


class CountingBackend(EmailBackend):
    """locmem, counting how many connections were opened (the mail edge only)."""

    opened = 0

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


class DiesAfterSeven(EmailBackend):
    """Accepts seven messages, then the worker process is killed (SystemExit is not caught as a send error)."""

    def send_messages(self, messages):
        if len(mail.outbox) >= 7:
            raise SystemExit("worker killed")
        return super().send_messages(messages)


@pytest.fixture
def counting(settings):
    settings.EMAIL_BACKEND = "notifications.tests.test_delivery.CountingBackend"
    CountingBackend.opened = 0
    return CountingBackend


def _emails(n, **kw):
    return [
        email_queue(to=f"person{i}@example.org", subject="A check-in is due", body_text="Open the portal.",
                    deliver=False, **kw)
        for i in range(n)
    ]


def _later(time_machine, minutes=11):
    time_machine.move_to(timezone.now() + timedelta(minutes=minutes))


@pytest.mark.django_db(transaction=True)
def test_an_email_queued_in_a_transaction_is_sent_only_after_commit(mailoutbox):
    with transaction.atomic():
        email = email_queue(to="a@example.org", subject="Due", body_text="Open the portal.")
        assert mailoutbox == [], "nothing is sent while the transaction is open"
    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert email.status == Delivery.Status.SENT and email.sent_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_sends_nothing(mailoutbox):
    with pytest.raises(RuntimeError), transaction.atomic():
        email_queue(to="a@example.org", subject="Due", body_text="Open the portal.")
        raise RuntimeError("the change failed")
    assert mailoutbox == [] and not Delivery.objects.exists()


def test_an_email_is_queued_once_per_dedupe_key(django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        assert email_queue(to="a@example.org", subject="s", body_text="b", dedupe_key="reminder:1") is not None
        assert email_queue(to="a@example.org", subject="s", body_text="b", dedupe_key="reminder:1") is None
    assert Delivery.objects.count() == 1 and len(mailoutbox) == 1


def test_many_emails_are_queued_in_one_go_and_a_used_key_is_skipped(mailoutbox):
    first = email_queue_many([{"to": "a@example.org", "subject": "s", "body_text": "b", "dedupe_key": "k1"}])
    ids = email_queue_many([{"to": "a@example.org", "subject": "s", "body_text": "b", "dedupe_key": k}
                            for k in ("k1", "k2")])
    assert Delivery.objects.count() == 2 and set(ids) == set(Delivery.objects.values_list("pk", flat=True))
    assert delivery.deliver_many(ids) == (2, 0) and delivery.deliver_many(first) == (0, 0)
    assert len(mailoutbox) == 2


def test_a_batch_goes_out_over_one_connection_and_each_email_is_marked_sent(counting, mailoutbox):
    emails = _emails(25)
    assert delivery.deliver_many([e.pk for e in emails]) == (25, 0)
    assert counting.opened == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(e.to for e in emails)
    assert Delivery.objects.filter(status=Delivery.Status.SENT, claim=None).count() == 25


def test_a_batch_delivered_twice_sends_each_email_once(mailoutbox):
    ids = [e.pk for e in _emails(5)]
    assert delivery.deliver_many(ids) == (5, 0)
    assert delivery.deliver_many(ids + ids) == (0, 0)
    assert len(mailoutbox) == 5


def test_emails_leased_by_another_worker_are_left_to_it(mailoutbox):
    ids = [e.pk for e in _emails(3)]
    Delivery.objects.filter(pk=ids[0]).update(next_attempt_at=timezone.now() + delivery.LEASE)
    assert delivery.deliver_many(ids) == (2, 0)
    assert Delivery.objects.get(pk=ids[0]).status == Delivery.Status.PENDING


def test_queued_without_delivery_nothing_is_sent_until_the_batch_is_queued(
    django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        emails = _emails(3)
    assert callbacks == [] and mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        email_deliver_batch([e.pk for e in emails])
    assert len(mailoutbox) == 3


def test_a_refused_email_waits_for_its_backoff_and_the_others_are_sent(settings, mailoutbox, time_machine):
    settings.EMAIL_BACKEND = "notifications.tests.test_delivery.RefusesBobBackend"
    alice = email_queue(to="alice@example.org", subject="s", body_text="b", deliver=False)
    bob = email_queue(to="bob@example.org", subject="s", body_text="b", deliver=False)
    assert delivery.deliver_many([alice.pk, bob.pk]) == (1, 1)
    bob.refresh_from_db()
    assert bob.status == Delivery.Status.PENDING and bob.claim is None and bob.last_error == "ConnectionError"
    assert bob.next_attempt_at > timezone.now(), "retried after its backoff, not at once"
    assert tasks.outbox_drain()["sent"] == 0

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _later(time_machine, 1)
    assert tasks.outbox_drain()["sent"] == 1
    assert [m.to for m in mailoutbox] == [["alice@example.org"], ["bob@example.org"]]


def test_the_backoff_doubles_and_is_capped():
    assert [delivery.backoff(n).total_seconds() for n in (1, 2, 3, 4, 5, 6, 7, 50)] == [
        30, 60, 120, 240, 480, 600, 600, 600]


def test_a_server_that_stays_down_never_makes_the_drain_give_up(settings, mailoutbox, time_machine):
    settings.EMAIL_BACKEND = "notifications.tests.test_delivery.DownBackend"
    ids = [e.pk for e in _emails(4)]
    for _ in range(40):  # far past any attempts cap the outbox used to have
        _later(time_machine)
        tasks.outbox_drain()
    assert Delivery.objects.filter(pk__in=ids, status=Delivery.Status.PENDING, attempts=40).count() == 4

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _later(time_machine)
    assert tasks.outbox_drain()["sent"] == 4 and len(mailoutbox) == 4


def test_the_drain_picks_every_due_row_in_batches(counting, mailoutbox):
    _emails(25)
    assert tasks.outbox_drain(batch=10) == {"expired": 0, "sent": 25, "failed": 0}
    assert counting.opened == 3 and len(mailoutbox) == 25


def test_an_email_whose_moment_has_passed_is_marked_expired_not_sent(settings, mailoutbox, time_machine):
    settings.EMAIL_BACKEND = "notifications.tests.test_delivery.DownBackend"
    (email,) = _emails(1, expires_at=timezone.now() + timedelta(hours=1))
    tasks.outbox_drain()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _later(time_machine, 61)
    assert tasks.outbox_drain()["expired"] == 1
    email.refresh_from_db()
    assert email.status == Delivery.Status.EXPIRED and mailoutbox == []


def test_the_broker_being_down_leaves_the_batch_to_the_drain(
    monkeypatch, django_capture_on_commit_callbacks, mailoutbox
):
    def broker_down(*args, **kwargs):
        raise OSError("Error 111 connecting to redis")

    monkeypatch.setattr(tasks.deliver_batch, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        email_queue(to="a@example.org", subject="s", body_text="b")
        email_deliver_batch([e.pk for e in _emails(2)])
    assert mailoutbox == []
    assert tasks.outbox_drain()["sent"] == 3


def test_a_batch_of_reminders_waits_on_its_own_queue_so_an_email_queued_alone_never_waits_behind_it(
    monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(tasks.deliver_batch, "apply_async", lambda args, queue: queued.append((queue, len(args[0]))))
    with django_capture_on_commit_callbacks(execute=True):
        email_deliver_batch([e.pk for e in _emails(tasks.PER_TASK + 1)])
        email_queue(to="mea@example.org", subject="A report needs you", body_text="b", failover=True)
    assert queued == [("bulk", tasks.PER_TASK), ("bulk", 1), ("email", 1)]


def test_a_worker_killed_mid_batch_re_sends_at_most_the_emails_accepted_since_the_last_mark(
    settings, time_machine, monkeypatch
):
    # Accepted emails are marked sent MARK_EVERY at a time: killed after seven with marks every five,
    # the first five are marked, and the next delivery, once the lease ran out, sends the other five
    # (the two accepted since the last mark a second time, never more than MARK_EVERY - 1).
    monkeypatch.setattr(delivery, "MARK_EVERY", 5)
    settings.EMAIL_BACKEND = "notifications.tests.test_delivery.DiesAfterSeven"
    ids = [e.pk for e in _emails(10)]
    with pytest.raises(SystemExit):
        delivery.deliver_many(ids)
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 5
    assert delivery.deliver_many(ids) == (0, 0), "the rest are still leased to the dead worker"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _later(time_machine, 6)
    assert delivery.deliver_many(ids) == (5, 0)
    received = sorted(m.to[0] for m in mail.outbox)
    assert received == sorted([f"person{i}@example.org" for i in range(10)] + ["person5@example.org", "person6@example.org"])


def test_a_large_batch_goes_out_over_a_few_connections_side_by_side(counting, mailoutbox):
    emails = _emails(delivery.PER_CONNECTION_MIN * delivery.CONNECTIONS)
    assert delivery.deliver_many([e.pk for e in emails]) == (len(emails), 0)
    assert counting.opened == delivery.CONNECTIONS
    assert sorted(m.to[0] for m in mailoutbox) == sorted(e.to for e in emails), "each once"
    assert Delivery.objects.filter(status=Delivery.Status.SENT, claim=None).count() == len(emails)


def test_over_smtp_each_email_arrives_with_its_text_and_html_parts(smtp_server, settings):
    settings.DEFAULT_FROM_EMAIL = "Mentorship Program <no-reply@example.org>"
    both = email_queue(to="ann@example.org", subject="A check-in is due", body_text="Hello,\n\n.Open the portal.\n",
                       body_html="<p>Hello,</p>\n<p>Open the portal.</p>", deliver=False)
    accented = email_queue(to="cy@example.org", subject="Rappel : séance à venir", body_text="Ouvrez le portail.",
                           deliver=False)
    assert delivery.deliver_many([both.pk, accented.pk]) == (2, 0)
    assert smtp_server.received() == {("ann@example.org", "A check-in is due"): 1,
                                      ("cy@example.org", "=?utf-8?q?Rappel_=3A_s=C3=A9ance_=C3=A0_venir?="): 1}
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 2


def test_over_smtp_a_refused_message_is_not_marked_delivered(smtp_server):
    smtp_server.refusing, smtp_server.refuse_with = True, "554 transaction failed"
    (email,) = _emails(1)
    assert delivery.deliver_many([email.pk]) == (0, 1)
    email.refresh_from_db()
    assert email.status == Delivery.Status.PENDING and email.last_error == "SMTPDataError"
    assert smtp_server.received() == {}

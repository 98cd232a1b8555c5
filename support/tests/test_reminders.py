import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from conftest import wait_until
from notifications.models import Delivery, Notice
from profiles.models import Profile
from profiles.tests.factories import member
from support import reminders, services
from support.models import CheckInRequest, MatchSupport, Reminder
from support.tasks import reminders_scan
from support.tests.factories import supported_match

pytestmark = pytest.mark.django_db

NOON_NY_WINTER = datetime(2026, 1, 15, 17, 0, tzinfo=UTC)  # 12:00 in New York (EST)


@pytest.fixture(autouse=True)
def _no_pulse_surveys(settings):
    """These tests count the MEA's and coordinators' reminders; the pulse surveys to mentor and
    mentee that the same scan sends are tested in test_surveys.py."""
    settings.CHECKIN_CADENCE = {"pulse_before_days": None}


@pytest.fixture(autouse=True)
def _the_mea_lives_in_new_york(mea):
    """The times in these tests are written for an MEA in New York (UTC-5 in winter, UTC-4 in summer)."""
    Profile.objects.filter(user=mea).update(time_zone="America/New_York")


def at(time_machine, when: datetime):
    time_machine.move_to(when, tick=False)


def sent(kind=None, **filters):
    qs = Reminder.objects.filter(status=Reminder.Status.SENT, **filters)
    return qs.filter(kind=kind) if kind else qs


@pytest.fixture
def due_match(group, mea, time_machine):
    at(time_machine, NOON_NY_WINTER)
    return supported_match(group, mea, days_ago=20, next_due=date(2026, 1, 15))


def test_the_mea_is_reminded_on_the_due_date_by_email_and_in_the_portal(due_match, mea):
    reminders_scan()
    reminder = sent(Reminder.Kind.CHECKIN_DUE).get()
    assert reminder.recipient == mea and reminder.match == due_match
    email = Delivery.objects.get(to=mea.email)
    assert "check-in" in email.subject and f"/support/matches/{due_match.pk}/" in email.body_text
    for private in (due_match.mentee.display_name, due_match.mentor.display_name, due_match.mentee.email):
        assert private not in email.body_text + email.body_html + email.subject
    assert Notice.objects.filter(user=mea, url=f"/support/matches/{due_match.pk}/").exists()


def test_nothing_is_sent_before_the_due_date(group, mea, time_machine):
    at(time_machine, NOON_NY_WINTER)
    supported_match(group, mea, next_due=date(2026, 1, 16))
    reminders_scan()
    assert not Reminder.objects.filter(status=Reminder.Status.SENT).exists()
    assert not Delivery.objects.exists()


def test_the_mea_is_reminded_again_when_overdue_and_once_only(due_match, mea, time_machine):
    reminders_scan()
    at(time_machine, NOON_NY_WINTER + timedelta(days=1))
    reminders_scan()
    assert not sent(Reminder.Kind.CHECKIN_OVERDUE).exists()
    at(time_machine, NOON_NY_WINTER + timedelta(days=3))
    reminders_scan()
    reminders_scan()
    assert sent(Reminder.Kind.CHECKIN_DUE).count() == 1 and sent(Reminder.Kind.CHECKIN_OVERDUE).count() == 1
    assert Delivery.objects.filter(to=mea.email).count() == 2


def test_a_check_in_recorded_meanwhile_cancels_the_pending_reminder(due_match, mea, time_machine):
    at(time_machine, datetime(2026, 1, 15, 10, 0, tzinfo=UTC))  # 05:00 in New York: too early to send
    reminders_scan()
    assert Reminder.objects.filter(status=Reminder.Status.PENDING).count() == 1
    services.checkin_record(match=due_match, mea=mea, with_whom="both", rating=4)
    at(time_machine, NOON_NY_WINTER)
    reminders_scan()
    assert not sent().exists() and not Delivery.objects.exists()


def test_a_retried_send_does_not_remind_twice(due_match):
    reminders.materialise(timezone.now())
    (reminder_id,) = reminders.due_ids(timezone.now())
    assert reminders.send_many([reminder_id]) == {"sent": 1}
    assert reminders.send_many([reminder_id]) == {"done": 1}
    assert reminders.send_many([reminder_id, reminder_id]) == {"done": 1}, "a repeated id counts once"
    assert Delivery.objects.count() == 1 and Notice.objects.count() == 1


def test_a_worker_dying_mid_batch_loses_nothing_and_repeats_nothing(group, mea, time_machine, monkeypatch):
    at(time_machine, NOON_NY_WINTER)
    for _ in range(3):
        supported_match(group, mea, next_due=date(2026, 1, 15))
    reminders.materialise(timezone.now())
    ids = reminders.due_ids(timezone.now())
    real_notify = reminders.notices_create

    def killed_after_the_claim_and_the_emails(notices):
        raise SystemExit("worker killed")

    monkeypatch.setattr(reminders, "notices_create", killed_after_the_claim_and_the_emails)
    with pytest.raises(SystemExit):
        reminders.send_many(ids)
    assert not sent().exists(), "the batch is one transaction: claims and emails rolled back with it"
    assert Reminder.objects.filter(status=Reminder.Status.PENDING).count() == 3 and not Delivery.objects.exists()
    monkeypatch.setattr(reminders, "notices_create", real_notify)
    reminders_scan()
    reminders_scan()
    assert sent().count() == 3 and Delivery.objects.count() == 3 and Notice.objects.count() == 3


def test_a_reminder_missed_while_the_broker_was_down_is_sent_on_the_next_run(due_match, mea, time_machine):
    def broker_down(batch):
        raise OSError("Error 111 connecting to redis")

    result = reminders.scan(enqueue=broker_down)
    assert result["due"] == 1 and result["queued"] == 0
    assert not sent().exists()
    at(time_machine, NOON_NY_WINTER + timedelta(days=1, hours=1))  # beat itself was down all day too
    reminders_scan()
    assert sent(Reminder.Kind.CHECKIN_DUE, recipient=mea).count() == 1


@pytest.mark.parametrize("utc_hour,expected", [(13, False), (14, True), (23, True), (1, False)])
def test_reminders_wait_for_waking_hours_in_the_recipients_time_zone(group, mea, time_machine, utc_hour, expected):
    at(time_machine, datetime(2026, 1, 15, utc_hour, 30, tzinfo=UTC))  # New York is UTC-5 in January
    supported_match(group, mea, next_due=date(2026, 1, 14))
    reminders_scan()
    assert sent().exists() is expected


def test_waking_hours_follow_daylight_saving_time(group, mea, time_machine):
    # US clocks go forward on 8 March 2026: 13:30 UTC is 08:30 before, 09:30 after.
    at(time_machine, datetime(2026, 3, 7, 13, 30, tzinfo=UTC))
    supported_match(group, mea, next_due=date(2026, 3, 7))
    reminders_scan()
    assert not sent().exists(), "08:30 EST is too early"
    at(time_machine, datetime(2026, 3, 9, 12, 30, tzinfo=UTC))
    reminders_scan()
    assert not sent().exists(), "08:30 EDT is too early"
    at(time_machine, datetime(2026, 3, 9, 13, 30, tzinfo=UTC))
    reminders_scan()
    assert sent().count() == 1, "09:30 EDT"


def test_the_due_day_is_the_recipients_own_day(group, mea, time_machine):
    Profile.objects.filter(user=mea).update(time_zone="Pacific/Auckland")
    at(time_machine, datetime(2026, 1, 14, 21, 0, tzinfo=UTC))  # 10:00 on 15 January in Auckland
    supported_match(group, mea, next_due=date(2026, 1, 15))
    reminders_scan()
    assert sent().count() == 1


def test_nobody_is_reminded_about_an_ended_match(due_match, mea, time_machine):
    services.checkin_request_create(match=due_match, by=mea, respondent=due_match.mentee)
    reminders.materialise(timezone.now())
    type(due_match).objects.filter(pk=due_match.pk).update(status="ended", ended_at=timezone.now())
    reminders_scan()
    at(time_machine, NOON_NY_WINTER + timedelta(days=30))
    reminders_scan()
    assert not sent().exists() and not Delivery.objects.exists()


def test_the_mentee_asked_to_answer_is_reminded_once_and_not_after_answering(due_match, mea, time_machine):
    req = services.checkin_request_create(match=due_match, by=mea, respondent=due_match.mentee)
    reminders_scan()
    reminders_scan()
    assert sent(Reminder.Kind.REQUEST, recipient=due_match.mentee).count() == 1
    assert Notice.objects.filter(user=due_match.mentee, url=f"/support/self-check-ins/{req.pk}/answer/").exists()
    second = services.checkin_request_create(match=due_match, by=mea, respondent=due_match.mentor)
    reminders.materialise(timezone.now())
    services.checkin_request_answer(request=second, by=due_match.mentor, rating=4)
    reminders_scan()
    assert Reminder.objects.get(kind=Reminder.Kind.REQUEST, request=second).status == Reminder.Status.SKIPPED
    assert CheckInRequest.objects.filter(status="answered").count() == 1


def test_coordinators_and_staff_hear_when_check_ins_are_long_overdue(group, mea, coordinator, staff_user,
                                                                      time_machine):
    at(time_machine, NOON_NY_WINTER)
    match = supported_match(group, mea, next_due=date(2026, 1, 1))
    second = member("coordinator", group)  # a second coordinator of the same group
    gone = member("coordinator", group)  # a coordinator whose account was closed hears nothing
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    reminders_scan()
    long = sent(Reminder.Kind.LONG_OVERDUE)
    assert set(long.values_list("recipient_id", flat=True)) == {coordinator.pk, second.pk, staff_user.pk}
    assert not sent(Reminder.Kind.CHECKIN_DUE).exists(), "the overdue reminder says it all"
    assert sent(Reminder.Kind.CHECKIN_OVERDUE, match=match).count() == 1
    staff_notice = Notice.objects.get(user=staff_user)
    assert staff_notice.url == f"/admin/matches/match/{match.pk}/change/", "staff get a page they can open"
    assert Notice.objects.get(user=coordinator).url == "/support/coordinator/"
    email = Delivery.objects.get(to=staff_user.email)
    assert "long overdue" in email.subject and staff_notice.url in email.body_text
    for private in (match.mentee.display_name, match.mentor.display_name):
        assert private not in email.body_text + email.subject


def test_long_overdue_check_ins_in_a_group_with_no_coordinator_reach_staff(group, mea, staff_user, time_machine):
    at(time_machine, NOON_NY_WINTER)
    supported_match(group, mea, next_due=date(2026, 1, 1))
    assert not group.role_grants.filter(role="coordinator").exists()
    reminders_scan()
    assert list(sent(Reminder.Kind.LONG_OVERDUE).values_list("recipient_id", flat=True)) == [staff_user.pk]
    assert Delivery.objects.filter(to=staff_user.email, subject__icontains="long overdue").count() == 1
    reminders_scan()
    assert sent(Reminder.Kind.LONG_OVERDUE).count() == 1, "once"


def _in_thread(fn, *args):
    errors = []

    def run():
        try:
            fn(*args)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    return threading.Thread(target=run), errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_batch_at_once_send_each_reminder_once(group, mea, time_machine):
    at(time_machine, NOON_NY_WINTER)
    for _ in range(20):
        supported_match(group, mea, next_due=date(2026, 1, 15))
    reminders.materialise(timezone.now())
    ids = reminders.due_ids(timezone.now())
    barrier = threading.Barrier(2)

    def send():
        barrier.wait()
        reminders.send_many(ids)

    threads = [_in_thread(send) for _ in range(2)]
    for t, _errors in threads:
        t.start()
    for t, _errors in threads:
        t.join(30)
    assert all(not errors for _t, errors in threads)
    assert sent().count() == 20
    assert Delivery.objects.count() == 20 and Notice.objects.filter(user=mea).count() == 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_scans_running_at_once_remind_once(group, mea, time_machine):
    at(time_machine, NOON_NY_WINTER)
    for _ in range(10):
        supported_match(group, mea, next_due=date(2026, 1, 15))
    barrier = threading.Barrier(2)

    def scan():
        barrier.wait()
        reminders.scan(enqueue=reminders.send_many)

    threads = [_in_thread(scan) for _ in range(2)]
    for t, _errors in threads:
        t.start()
    for t, _errors in threads:
        t.join(30)
    assert all(not errors for _t, errors in threads)
    assert Reminder.objects.count() == 10 and sent().count() == 10 and Delivery.objects.count() == 10


@pytest.mark.redis
@pytest.mark.postgres
def test_a_real_worker_on_redis_sends_the_due_reminder_once(celery_worker_process, group, mea):

    today = timezone.localdate()
    Profile.objects.filter(user=mea).update(time_zone="UTC")
    match = supported_match(group, mea, next_due=today - timedelta(days=1))
    if not reminders.in_waking_hours(timezone.now(), "UTC"):
        Profile.objects.filter(user=mea).update(time_zone=_a_zone_awake_now())
    reminders_scan.delay()
    reminders_scan.delay()
    assert wait_until(lambda: sent(match=match).count() >= 1 and Delivery.objects.filter(to=mea.email).exists())
    # The worker's own settings send the pulse to mentor and mentee too (test_surveys.py): wait for the MEA's.
    assert wait_until(lambda: not Reminder.objects.filter(status=Reminder.Status.PENDING, recipient=mea).exists())
    assert sent(Reminder.Kind.CHECKIN_DUE, match=match).count() == 1
    assert Delivery.objects.filter(to=mea.email, subject__contains="due").count() == 1


def _a_zone_awake_now() -> str:
    for offset in range(-11, 13):
        name = f"Etc/GMT{'+' if offset <= 0 else '-'}{abs(offset)}"
        if reminders.in_waking_hours(timezone.now(), name):
            return name
    return "UTC"


def test_support_rows_are_created_by_the_scan_for_matches_made_elsewhere(group, mea, time_machine):
    from matches.tests.factories import MatchFactory

    at(time_machine, NOON_NY_WINTER)
    match = MatchFactory(group=group, mentor=member("mentor", group), mentee=member("mentee", group), mea=mea,
                         started_at=NOON_NY_WINTER - timedelta(days=14))
    reminders_scan()
    assert MatchSupport.objects.get(match=match).next_due == date(2026, 1, 15)
    assert sent(Reminder.Kind.CHECKIN_DUE, match=match).count() == 1


def test_a_run_of_many_reminders_queues_one_email_delivery_per_batch(group, mea, time_machine, monkeypatch, settings,
                                                                     mailoutbox, django_capture_on_commit_callbacks):
    from notifications import tasks
    from notifications.tests.test_delivery import CountingBackend

    at(time_machine, NOON_NY_WINTER)
    for _ in range(7):
        supported_match(group, mea, next_due=date(2026, 1, 15))
    monkeypatch.setattr(reminders, "BATCH", 3)
    settings.EMAIL_BACKEND = "notifications.tests.test_delivery.CountingBackend"
    CountingBackend.opened = 0
    batches = []
    real_batch = tasks.deliver_batch.apply_async

    def record_batch(args, queue):
        assert queue == "bulk"
        batches.append(list(args[0]))
        return real_batch(args, queue=queue)

    monkeypatch.setattr(tasks.deliver_batch, "apply_async", record_batch)
    with django_capture_on_commit_callbacks(execute=True):
        reminders_scan()
    assert [len(b) for b in batches] == [3, 3, 1]
    assert CountingBackend.opened == 3, "one SMTP connection per batch"
    assert len(mailoutbox) == 7 and not Delivery.objects.filter(sent_at=None).exists()
    assert sent(Reminder.Kind.CHECKIN_DUE).count() == 7


def _pg(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@pytest.mark.redis
@pytest.mark.postgres
def test_a_real_worker_killed_mid_batch_loses_no_reminder_and_doubles_none(celery_worker_process, group, mea):
    import os
    import signal

    import psycopg2

    from support.tasks import send_reminders

    Profile.objects.filter(user=mea).update(time_zone=_a_zone_awake_now())
    for _ in range(5):
        supported_match(group, mea, next_due=timezone.localdate() - timedelta(days=1))
    reminders.materialise(timezone.now())
    ids = reminders.due_ids(timezone.now())
    assert len(ids) == 5
    notices = Notice._meta.db_table
    db = connection.settings_dict
    blocker = psycopg2.connect(dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"] or None,
                               host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432)
    try:
        with blocker.cursor() as cur:
            # Writes to the notices wait for this lock: the worker stops there, mid-batch.
            cur.execute(f'LOCK TABLE "{notices}" IN SHARE ROW EXCLUSIVE MODE')
        send_reminders.delay(ids)
        waiting = ("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
                   f"AND query LIKE 'INSERT INTO \"{notices}\"%%'")
        assert wait_until(lambda: _pg(waiting)), "the worker has claimed the batch and written its emails"
        os.kill(celery_worker_process.pid, signal.SIGKILL)
        celery_worker_process.wait(10)
    finally:
        blocker.rollback()
        blocker.close()
    # The dead worker's database session ends with its transaction rolled back.
    assert wait_until(lambda: not _pg(waiting.replace("wait_event_type = 'Lock' AND ", "")))
    assert Reminder.objects.filter(status=Reminder.Status.PENDING).count() == 5
    assert not Delivery.objects.exists() and not Notice.objects.exists()

    reminders.scan(enqueue=reminders.send_many)  # the next beat run
    reminders.scan(enqueue=reminders.send_many)
    assert sent(Reminder.Kind.CHECKIN_DUE).count() == 5
    keys = sorted(f"reminder:{pk}" for pk in ids)
    assert sorted(Delivery.objects.values_list("dedupe_key", flat=True)) == keys
    assert sorted(Notice.objects.filter(user=mea).values_list("dedupe_key", flat=True)) == keys

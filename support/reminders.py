"""Check-in reminders: find what is due, then send each reminder once.

Who hears what:
  checkin_due      the match's MEA, on the due date
  checkin_overdue  the match's MEA again, `overdue_after_days` after the due date
  long_overdue     every coordinator of the match's group, `long_overdue_days` after it
  request          the mentor or mentee the MEA asked to answer a self check-in

Two steps, both run by the beat task `support.tasks.reminders_scan`:

1. *Materialise*: scan by due date (``next_due <= today``), not by "what was
   scheduled", and insert one Reminder row per (kind, match, occurrence,
   recipient) that does not exist yet. The database's unique constraint makes
   the row exist once, however often or concurrently the scan runs. A reminder
   whose day passed while the broker or beat was down is simply found by the
   next run. Each row carries `not_before`: 09:00 on the due day in the
   recipient's own time zone (zoneinfo, so daylight-saving changes are right).
2. *Dispatch*: pending rows whose `not_before` has passed and whose recipient
   is now within local waking hours (09:00–20:00 by default) are queued in
   batches to `send_reminders`.

Delivery guarantee, per reminder: AT MOST ONCE. `send_one` claims the row by
conditional update (pending -> sent) in the same transaction that writes the
outbox email and the portal notice. A retried task, a second worker running the
same batch, or a duplicate message finds the row already claimed (zero rows
updated) and does nothing. A worker killed mid-batch has committed the
reminders it finished (claim + email + notice together) and rolled back the one
it was on, which is still pending and is queued again by the next scan, so
nothing is lost either. We choose at-most-once here because a reminder is a
nudge: a duplicate costs trust, and a missed one is caught by the next scan.
From the outbox on, the email itself is delivered at-least-once
(profiles.tasks: a worker dying between the SMTP accept and marking it sent
may send that one email again); the notice is a row, written exactly once.
A batch's emails are saved without a task each and go out as ONE
`deliver_email_batch` task over one SMTP connection, queued after the batch
(also when the batch stops half-way); a broker that is down leaves them to the
outbox drain.
No reminder carries check-in content: only that something is due, and a link.
"""

import logging
import zoneinfo
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from matches.models import Match
from profiles.models import Role, RoleGrant
from profiles.services import email_deliver_batch, email_queue, notify

from .cadence import cadence
from .models import CheckInRequest, MatchSupport, Reminder
from .services import supports_ensure

log = logging.getLogger(__name__)

K = Reminder.Kind
BATCH = 500


def _zone(name: str | None) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _not_before(day: date, tz_name: str | None) -> datetime:
    """The start of waking hours on `day`, in the recipient's zone (DST-aware)."""
    start_hour = cadence()["local_hours"][0]
    return datetime.combine(day, time(start_hour), tzinfo=_zone(tz_name))


def in_waking_hours(now: datetime, tz_name: str | None) -> bool:
    start, end = cadence()["local_hours"]
    return start <= now.astimezone(_zone(tz_name)).hour < end


def _missing(kind: str, recipient_ref: str = "match__mea", occurrence_ref: str = "next_due"):
    return ~Exists(Reminder.objects.filter(
        kind=kind, match=OuterRef("match"), occurrence=OuterRef(occurrence_ref), recipient=OuterRef(recipient_ref)
    ))


def _insert(rows: list[Reminder]) -> int:
    # ignore_conflicts: the unique (kind, match, occurrence, recipient) key is the
    # guard; a concurrent scan inserting the same reminder is a no-op here.
    for i in range(0, len(rows), 2000):
        Reminder.objects.bulk_create(rows[i:i + 2000], ignore_conflicts=True)
    return len(rows)


def materialise(now: datetime) -> int:
    """Insert the Reminder rows that are due by now and do not exist yet. Returns how many were tried."""
    c = cadence()
    # The latest calendar date anywhere (UTC+14): a due date up to here may already be "today" somewhere.
    horizon = (now + timedelta(hours=14)).date()
    active = MatchSupport.objects.filter(match__status=Match.Status.ACTIVE)
    with_mea = active.filter(match__mea__isnull=False)
    fields = ("match_id", "next_due", "match__mea_id", "match__mea__profile__time_zone")
    rows: list[Reminder] = []

    for kind, delay in ((K.CHECKIN_DUE, 0), (K.CHECKIN_OVERDUE, c["overdue_after_days"])):
        due = with_mea.filter(next_due__lte=horizon - timedelta(days=delay)).filter(_missing(kind))
        for match_id, next_due, mea_id, tz in due.values_list(*fields).iterator(chunk_size=5000):
            rows.append(Reminder(kind=kind, match_id=match_id, recipient_id=mea_id, occurrence=next_due,
                                 not_before=_not_before(next_due + timedelta(days=delay), tz)))

    long_after = c["long_overdue_days"]
    late = list(
        active.filter(next_due__lte=horizon - timedelta(days=long_after))
        .filter(~Exists(Reminder.objects.filter(kind=K.LONG_OVERDUE, match=OuterRef("match"), occurrence=OuterRef("next_due"))))
        .values_list("match_id", "next_due", "match__group_id")
    )
    if late:
        coordinators = defaultdict(list)
        for group_id, user_id, tz in RoleGrant.objects.filter(
            role=Role.COORDINATOR, ended_at=None, group_id__in={g for _m, _d, g in late}
        ).values_list("group_id", "user_id", "user__profile__time_zone"):
            coordinators[group_id].append((user_id, tz))
        for match_id, next_due, group_id in late:
            for user_id, tz in coordinators[group_id]:
                rows.append(Reminder(kind=K.LONG_OVERDUE, match_id=match_id, recipient_id=user_id, occurrence=next_due,
                                     not_before=_not_before(next_due + timedelta(days=long_after), tz)))

    asked = (
        CheckInRequest.objects.filter(status=CheckInRequest.Status.PENDING, match__status=Match.Status.ACTIVE)
        .filter(~Exists(Reminder.objects.filter(kind=K.REQUEST, request=OuterRef("pk"))))
        .values_list("pk", "match_id", "respondent_id", "created_at")
    )
    for request_id, match_id, respondent_id, created_at in asked.iterator(chunk_size=5000):
        rows.append(Reminder(kind=K.REQUEST, match_id=match_id, recipient_id=respondent_id, request_id=request_id,
                             occurrence=created_at.date(), not_before=created_at))
    return _insert(rows)


def due_ids(now: datetime) -> list[int]:
    """Pending reminders that may go out now: past `not_before` and within the recipient's waking hours."""
    pending = Reminder.objects.filter(status=Reminder.Status.PENDING, not_before__lte=now).values_list(
        "pk", "recipient__profile__time_zone"
    )
    return [pk for pk, tz in pending.iterator(chunk_size=5000) if in_waking_hours(now, tz)]


def dispatch(ids: list[int], enqueue) -> int:
    """Queue `ids` in batches; a broker that is down leaves them pending for the next scan."""
    queued = 0
    for i in range(0, len(ids), BATCH):
        try:
            enqueue(ids[i:i + BATCH])
        except Exception:  # noqa: BLE001 - broker down: the rows stay pending, the next scan finds them
            log.warning("broker unavailable; %d reminders left for the next scan", len(ids) - i)
            break
        queued += len(ids[i:i + BATCH])
    return queued


# --- Sending one ---------------------------------------------------------------


def _is_stale(r: Reminder, now: datetime) -> bool:
    """True when the reminder no longer applies (match ended, check-in done, MEA changed, answered)."""
    match = r.match
    if match.status != Match.Status.ACTIVE:
        return True
    if r.kind == K.REQUEST:
        return r.request is None or r.request.status != CheckInRequest.Status.PENDING
    support = getattr(match, "support", None)
    if support is None or support.next_due != r.occurrence:
        return True
    if r.kind in (K.CHECKIN_DUE, K.CHECKIN_OVERDUE) and match.mea_id != r.recipient_id:
        return True
    if r.kind == K.CHECKIN_DUE:
        # Already past the overdue point (e.g. after an outage): the overdue reminder says it all.
        profile = getattr(r.recipient, "profile", None)
        local_today = now.astimezone(_zone(profile.time_zone if profile else None)).date()
        return local_today >= r.occurrence + timedelta(days=cadence()["overdue_after_days"])
    return False


def _message(r: Reminder) -> tuple[str, str]:
    if r.kind == K.REQUEST:
        return _("Your MEA asked how your mentoring is going"), reverse("support:request_answer", args=[r.request_id])
    url = reverse("support:match_detail", args=[r.match_id])
    if r.kind == K.CHECKIN_DUE:
        return _("A check-in with one of your matches is due"), url
    if r.kind == K.CHECKIN_OVERDUE:
        return _("A check-in with one of your matches is overdue"), url
    return _("An MEA's check-ins in your group are long overdue"), reverse("support:coordinator_dashboard")


def send_one(reminder_id: int, now: datetime | None = None, emails: list[int] | None = None) -> str:
    """Send one reminder. With `emails`, its outbox email is only saved and its id appended (the caller delivers)."""
    now = now or timezone.now()
    peek = Reminder.objects.filter(pk=reminder_id).values_list("status", "not_before", "recipient__profile__time_zone").first()
    if peek is None or peek[0] != Reminder.Status.PENDING:
        return "done"
    if peek[1] > now or not in_waking_hours(now, peek[2]):
        return "later"  # stays pending; a later scan queues it in the recipient's waking hours
    with transaction.atomic():
        # Claim by conditional update before sending: a retry, a duplicate task or a
        # second worker updates zero rows and sends nothing. On Postgres the second
        # UPDATE waits for the first transaction and then no longer matches.
        claimed = Reminder.objects.filter(pk=reminder_id, status=Reminder.Status.PENDING).update(
            status=Reminder.Status.SENT, sent_at=now
        )
        if not claimed:
            return "done"
        r = Reminder.objects.select_related("match__support", "recipient__profile", "request").get(pk=reminder_id)
        if _is_stale(r, now):
            Reminder.objects.filter(pk=r.pk).update(status=Reminder.Status.SKIPPED, sent_at=None)
            return "skipped"
        title, path = _message(r)
        # Same transaction as the claim: both are saved or neither; the outbox sends after commit.
        email = email_queue(
            to=r.recipient.email, template="reminder", dedupe_key=f"reminder:{r.pk}",
            context={"title": title, "path": path}, deliver=emails is None,
        )
        notify(r.recipient, title, path, dedupe_key=f"reminder:{r.pk}")
    if email is not None and emails is not None:
        emails.append(email.pk)  # only once committed: a rolled-back one has no row to send
    return "sent"


def send_many(ids: list[int]) -> dict[str, int]:
    """Send a batch; their emails go out as one delivery task after it (even if it stops half-way)."""
    counts: dict[str, int] = defaultdict(int)
    emails: list[int] = []
    try:
        for reminder_id in ids:
            counts[send_one(reminder_id, emails=emails)] += 1
    finally:
        email_deliver_batch(emails)
    return dict(counts)


def scan(now: datetime | None = None, enqueue=None) -> dict[str, int]:
    """One beat run: create missing support rows, materialise due reminders, queue what may go out now."""
    now = now or timezone.now()
    created = supports_ensure()
    tried = materialise(now)
    ids = due_ids(now)
    if enqueue is None:
        from .tasks import send_reminders

        def enqueue(batch):
            send_reminders.delay(batch)

    queued = dispatch(ids, enqueue)
    log.info("reminder scan: %d support rows created, %d reminders materialised, %d of %d queued",
             created, tried, queued, len(ids))
    return {"supports_created": created, "materialised": tried, "due": len(ids), "queued": queued}

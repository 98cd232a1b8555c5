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
   batches to `send_reminders` (ids only). New rows are queued as each INSERT
   returns them, so workers send the first batches while the scan goes on.

Delivery guarantee, per reminder: AT MOST ONCE, set-based per batch. The
scan queues pending ids in batches of BATCH (ids only). `send_many` reads the
batch's pending rows in one query and, in ONE transaction, claims the fresh
ones with one conditional UPDATE ... RETURNING (pending -> sent), marks the
stale ones skipped, and writes their outbox emails (one INSERT ... ON
CONFLICT (dedupe_key) DO NOTHING RETURNING) and portal notices (one INSERT,
same dedupe key). A retried task, a second worker running the same batch or
two scans racing find the rows already claimed (on Postgres the second UPDATE
waits for the first transaction, then no longer matches) and do nothing. A
worker killed mid-batch rolls the whole batch back: every reminder of it is
still pending and the next scan queues it again, so nothing is lost either.
We choose at-most-once because a reminder is a nudge: a duplicate costs trust,
and a missed one is caught by the next scan.
From the outbox on, the email itself is delivered at-least-once by ONE
`deliver_email_batch` task per batch, queued after commit, over one SMTP
connection (profiles.tasks.deliver_many: an email is marked sent only after
the SMTP server accepted it; a worker dying mid-delivery leaves the unmarked
ones to the outbox drain). A broker that is down leaves them to the drain too.
Each kind's email is rendered once per batch and the link filled in.
No reminder carries check-in content: only that something is due, and a link.
"""

import logging
import zoneinfo
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from matches.models import Match
from profiles.models import Role, RoleGrant
from profiles.services import email_deliver_batch, email_queue_many, email_render, notify_many

from .cadence import cadence
from .models import CheckInRequest, MatchSupport, Reminder
from .services import supports_ensure

log = logging.getLogger(__name__)

K = Reminder.Kind
BATCH = 500
INSERT_CHUNK = 2000  # reminder rows per INSERT while materialising


def _zone(name: str | None) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _not_before(day: date, tz_name: str | None) -> datetime:
    """The start of waking hours on `day`, in the recipient's zone (DST-aware)."""
    return _start_of_day(day, tz_name, cadence()["local_hours"][0])


@lru_cache(maxsize=8192)
def _start_of_day(day: date, tz_name: str | None, start_hour: int) -> datetime:
    return datetime.combine(day, time(start_hour), tzinfo=_zone(tz_name))


def in_waking_hours(now: datetime, tz_name: str | None) -> bool:
    start, end = cadence()["local_hours"]
    return start <= now.astimezone(_zone(tz_name)).hour < end


def _missing(kind: str, recipient_ref: str = "match__mea", occurrence_ref: str = "next_due"):
    return ~Exists(Reminder.objects.filter(
        kind=kind, match=OuterRef("match"), occurrence=OuterRef(occurrence_ref), recipient=OuterRef(recipient_ref)
    ))


_COLUMNS = ("kind", "match_id", "recipient_id", "occurrence", "request_id", "not_before", "status", "created_at")


def _insert(rows: list[tuple], now: datetime | None = None, on_due=None) -> int:
    """Insert (kind, match_id, recipient_id, occurrence, request_id, not_before, time zone) rows, INSERT_CHUNK a statement.

    ON CONFLICT DO NOTHING: the unique (kind, match, occurrence, recipient) key is
    the guard; a concurrent scan inserting the same reminder is a no-op here.
    Plain tuples into one multi-row INSERT, not a model instance per row. With
    `on_due`, after each statement it is given the ids this statement inserted
    that may go out at `now`, so their batches are queued while the scan goes on.
    """
    table = connection.ops.quote_name(Reminder._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in _COLUMNS)
    row = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    created = timezone.now()
    with connection.cursor() as cursor:
        for i in range(0, len(rows), INSERT_CHUNK):
            chunk = rows[i:i + INSERT_CHUNK]
            params = [v for r in chunk for v in (*r[:6], Reminder.Status.PENDING, created)]
            values = ", ".join([row] * len(chunk))
            cursor.execute(  # only quoted names and %s placeholders are interpolated
                f"INSERT INTO {table} ({names}) VALUES {values} ON CONFLICT DO NOTHING "  # noqa: S608
                "RETURNING id, kind, match_id, occurrence, recipient_id",
                params,
            )
            inserted = cursor.fetchall()
            if on_due is not None and inserted:
                by_key = {r[:4]: r for r in ((str(k), m, o, u, nb, tz) for k, m, u, o, _q, nb, tz in chunk)}
                due = []
                for pk, *key in inserted:
                    _k, _m, _o, _u, not_before, tz = by_key[tuple(key)]
                    if not_before <= now and in_waking_hours(now, tz):
                        due.append(pk)
                on_due(due)
    return len(rows)


def materialise(now: datetime, on_due=None) -> int:
    """Insert the Reminder rows that are due by now and do not exist yet. Returns how many were tried.

    `on_due(ids)`: called as rows are inserted, with those that may go out now (see `_insert`).
    """
    c = cadence()
    # The latest calendar date anywhere (UTC+14): a due date up to here may already be "today" somewhere.
    horizon = (now + timedelta(hours=14)).date()
    active = MatchSupport.objects.filter(match__status=Match.Status.ACTIVE)
    with_mea = active.filter(match__mea__isnull=False)
    fields = ("match_id", "next_due", "match__mea_id", "match__mea__profile__time_zone")
    rows: list[tuple] = []

    for kind, delay in ((K.CHECKIN_DUE, 0), (K.CHECKIN_OVERDUE, c["overdue_after_days"])):
        due = with_mea.filter(next_due__lte=horizon - timedelta(days=delay)).filter(_missing(kind))
        for match_id, next_due, mea_id, tz in due.values_list(*fields).iterator(chunk_size=5000):
            rows.append((kind, match_id, mea_id, next_due, None, _not_before(next_due + timedelta(days=delay), tz), tz))

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
                rows.append((K.LONG_OVERDUE, match_id, user_id, next_due, None,
                             _not_before(next_due + timedelta(days=long_after), tz), tz))

    asked = (
        CheckInRequest.objects.filter(status=CheckInRequest.Status.PENDING, match__status=Match.Status.ACTIVE)
        .filter(~Exists(Reminder.objects.filter(kind=K.REQUEST, request=OuterRef("pk"))))
        .values_list("pk", "match_id", "respondent_id", "created_at", "respondent__profile__time_zone")
    )
    for request_id, match_id, respondent_id, created_at, tz in asked.iterator(chunk_size=5000):
        rows.append((K.REQUEST, match_id, respondent_id, created_at.date(), request_id, created_at, tz))
    return _insert(rows, now, on_due)


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


# --- Sending a batch -------------------------------------------------------------

# What the send step needs of each reminder, in one query (no object per row).
_FIELDS = (
    "pk", "kind", "match_id", "recipient_id", "request_id", "occurrence", "not_before",
    "recipient__profile__time_zone", "recipient__email", "match__status", "match__mea_id",
    "match__support__next_due", "request__status",
)
_PATH = "/__reminder-path__/"  # stands for the link while a kind's email is rendered once per batch


def _is_stale(row: tuple, now: datetime) -> bool:
    """True when the reminder no longer applies (match ended, check-in done, MEA changed, answered)."""
    (_pk, kind, _match_id, recipient_id, _request_id, occurrence, _nb, tz, _email, match_status, mea_id,
     next_due, request_status) = row
    if match_status != Match.Status.ACTIVE:
        return True
    if kind == K.REQUEST:
        return request_status != CheckInRequest.Status.PENDING
    if next_due is None or next_due != occurrence:
        return True
    if kind in (K.CHECKIN_DUE, K.CHECKIN_OVERDUE) and mea_id != recipient_id:
        return True
    if kind == K.CHECKIN_DUE:
        # Already past the overdue point (e.g. after an outage): the overdue reminder says it all.
        local_today = now.astimezone(_zone(tz)).date()
        return local_today >= occurrence + timedelta(days=cadence()["overdue_after_days"])
    return False


def _title(kind: str) -> str:
    return {
        K.REQUEST: _("Your MEA asked how your mentoring is going"),
        K.CHECKIN_DUE: _("A check-in with one of your matches is due"),
        K.CHECKIN_OVERDUE: _("A check-in with one of your matches is overdue"),
    }.get(kind, _("An MEA's check-ins in your group are long overdue"))


_ANY_ID = 987654321  # reverse() once per kind with this id, then the real id is put in its place


def _path_pattern(kind: str) -> str:
    if kind == K.REQUEST:
        return reverse("support:request_answer", args=[_ANY_ID])
    if kind == K.LONG_OVERDUE:
        return reverse("support:coordinator_dashboard")
    return reverse("support:match_detail", args=[_ANY_ID])


def _path(pattern: str, kind: str, match_id: int, request_id: int | None) -> str:
    return pattern.replace(str(_ANY_ID), str(request_id if kind == K.REQUEST else match_id))


def _claim(ids: list[int], status: str, now: datetime | None) -> list[int]:
    """Move the still-pending ones among `ids` to `status`; return those this call moved.

    One conditional UPDATE ... RETURNING: on Postgres a concurrent claim of the
    same rows waits for this transaction, then finds them no longer pending and
    returns nothing, so each reminder is claimed by exactly one batch.
    """
    if not ids:
        return []
    table = connection.ops.quote_name(Reminder._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(  # only the quoted table name and %s placeholders are interpolated
            f"UPDATE {table} SET status = %s, sent_at = %s WHERE id IN ({marks}) AND status = %s RETURNING id",  # noqa: S608
            [status, now, *ids, Reminder.Status.PENDING],
        )
        return [pk for (pk,) in cursor.fetchall()]


def send_many(ids: list[int], now: datetime | None = None) -> dict[str, int]:
    """Send a batch of reminders in one transaction; their emails go out as ONE delivery task after commit.

    One read of the pending rows, one conditional UPDATE that claims the fresh
    ones (pending -> sent) and one that skips the stale ones, one INSERT of the
    outbox emails and one of the portal notices, all in the same transaction:
    a worker that dies before the commit leaves the whole batch pending for
    the next scan, one that dies after it has written every email and notice.
    Reminders outside the recipient's waking hours stay pending.
    """
    now = now or timezone.now()
    ids = sorted({int(pk) for pk in ids})
    rows = list(Reminder.objects.filter(pk__in=ids, status=Reminder.Status.PENDING).values_list(*_FIELDS))
    counts: dict[str, int] = defaultdict(int)
    counts["done"] = len(ids) - len(rows)  # sent or skipped already (a retried or duplicate batch)
    fresh, stale = [], []
    for row in rows:
        if row[6] > now or not in_waking_hours(now, row[7]):
            counts["later"] += 1  # stays pending; a later scan queues it in the recipient's waking hours
        elif _is_stale(row, now):
            stale.append(row[0])
        else:
            fresh.append(row)
    by_pk = {row[0]: row for row in fresh}
    email_ids: list[int] = []
    with transaction.atomic():
        counts["skipped"] = len(_claim(stale, Reminder.Status.SKIPPED, None))
        claimed = _claim(list(by_pk), Reminder.Status.SENT, now)
        counts["done"] += len(stale) - counts["skipped"] + len(by_pk) - len(claimed)
        counts["sent"] = len(claimed)
        # Each kind's email and link are rendered once per batch; each reminder fills in its own link.
        rendered: dict[str, tuple[str, str, str, str, str]] = {}
        emails, notices = [], []
        for pk in claimed:
            _pk, kind, match_id, recipient_id, request_id, *_rest = row = by_pk[pk]
            if kind not in rendered:
                rendered[kind] = (_title(kind), _path_pattern(kind),
                                  *email_render("reminder", {"title": _title(kind), "path": _PATH}))
            title, pattern, subject, text, html = rendered[kind]
            path, key = _path(pattern, kind, match_id, request_id), f"reminder:{pk}"
            emails.append({"to": row[8], "subject": subject, "body_text": text.replace(_PATH, path),
                           "body_html": html.replace(_PATH, path), "dedupe_key": key})
            notices.append((recipient_id, title, path, key))
        # Same transaction as the claim: claim, email and notice are saved together or not at all.
        email_ids = email_queue_many(emails)
        notify_many(notices)
    # After commit: one delivery task (one SMTP connection) for the batch; broker down -> the outbox drain.
    email_deliver_batch(email_ids)
    return {k: v for k, v in counts.items() if v}


def send_one(reminder_id: int, now: datetime | None = None) -> str:
    """Send one reminder (a batch of one): "sent", "skipped", "later" or "done" (sent or skipped already)."""
    counts = send_many([reminder_id], now)
    return next(iter(counts), "done")


class _Dispatcher:
    """Queues ids in batches of BATCH as they come; after the broker refused one, queues no more (they stay pending)."""

    def __init__(self, enqueue):
        self.enqueue, self.buffer, self.seen, self.queued, self.down = enqueue, [], set(), 0, False

    def add(self, ids) -> None:
        for pk in ids:
            if pk not in self.seen:
                self.seen.add(pk)
                self.buffer.append(pk)
        while len(self.buffer) >= BATCH:
            self._send(self.buffer[:BATCH])
            del self.buffer[:BATCH]

    def flush(self) -> None:
        if self.buffer:
            self._send(self.buffer)
            self.buffer = []

    def _send(self, batch: list[int]) -> None:
        if not self.down:
            self.down = dispatch(batch, self.enqueue) < len(batch)
            self.queued += 0 if self.down else len(batch)


def scan(now: datetime | None = None, enqueue=None) -> dict[str, int]:
    """One beat run: create missing support rows, materialise due reminders, queue what may go out now.

    Batches of newly materialised reminders are queued as soon as their rows are
    in, so workers send the first while the scan is still inserting the rest;
    then every other pending reminder that may go out now (older ones, or ones
    whose waking hours have come) is queued too.
    """
    now = now or timezone.now()
    created = supports_ensure()
    if enqueue is None:
        from .tasks import send_reminders

        def enqueue(batch):
            send_reminders.delay(batch)

    dispatcher = _Dispatcher(enqueue)
    tried = materialise(now, on_due=dispatcher.add)
    dispatcher.add(due_ids(now))
    dispatcher.flush()
    due = len(dispatcher.seen)
    log.info("reminder scan: %d support rows created, %d reminders materialised, %d of %d queued",
             created, tried, dispatcher.queued, due)
    return {"supports_created": created, "materialised": tried, "due": due, "queued": dispatcher.queued}

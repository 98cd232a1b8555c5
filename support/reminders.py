"""Check-in reminders: find what is due, then send each reminder once.

Who hears what:
  checkin_due      the match's MEA, on the due date
  checkin_overdue  the match's MEA again, `overdue_after_days` after the due date
  long_overdue     every coordinator of the match's group and every program staff
                   member, `long_overdue_days` after it: someone always hears,
                   whether or not the group has a coordinator
  request          the mentor or mentee the MEA asked to answer a self check-in
  pulse            the mentor and the mentee, `pulse_before_days` before each check-in is
                   due: how is it going, by a one-click link (support/surveys.py)
  meeting          the mentor and the mentee, the day before an accepted meeting, from
                   09:00 in their own time zone (occurrence: the meeting's local day)
  closing          the mentor and the mentee, the day after their match ended

Two steps, both run by the beat task `support.tasks.reminders_scan`:

1. *Dispatch* what an earlier run left pending: rows whose `not_before` has
   passed and whose recipient is now within local waking hours (09:00–20:00 by
   default) are queued in batches to `send_reminders` (ids only).
2. *Materialise*: scan by due date (``next_due <= today``), not by "what was
   scheduled", and insert one Reminder row per (kind, match, occurrence,
   recipient) that does not exist yet, a chunk at a time (`bulk_create` with
   `update_conflicts`: the database's unique constraint makes the row exist
   once, however often or concurrently the scan runs); each chunk's rows that
   may go out now are queued as soon as it is committed, so the workers claim
   while the scan goes on. A reminder whose day passed while the broker or
   beat was down is simply found by the next run. Each row carries
   `not_before`: 09:00 on the due day in the recipient's own time zone
   (zoneinfo, so daylight-saving changes are right).

Delivery guarantee, per reminder: AT MOST ONCE, per batch. `send_many` locks
the batch's pending rows (SELECT ... FOR UPDATE) and, in ONE transaction,
marks the fresh ones sent and the stale ones skipped, and writes their outbox
emails and portal notices (the same dedupe key). A retried task, a second
worker running the same batch or two scans racing wait for that lock, then
find the rows no longer pending and do nothing. A worker killed mid-batch
rolls the whole batch back: every reminder of it is still pending and the
next scan queues it again, so nothing is lost either. We choose at-most-once
because a reminder is a nudge: a duplicate costs trust, and a missed one is
caught by the next scan.
From the outbox on, the email itself is delivered at-least-once by the
notifications app, after commit (notifications.delivery: an email is marked
sent only after the SMTP server accepted it; a worker dying mid-delivery, a
refusing server or a broker that is down leave it to the outbox drain, which
retries it with backoff until EMAIL_LIFETIME has passed, then marks it expired).
No reminder carries check-in content: only that something is due, and a link.
"""

import logging
import zoneinfo
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from matches.models import Match
from meetings.models import Meeting
from notifications.services import email_deliver_batch, email_queue_many, email_render, notices_create
from profiles.models import Role, RoleGrant

from .cadence import cadence
from .models import CheckInRequest, MatchSupport, Reminder, Survey
from .services import supports_ensure
from .surveys import pulse_link_path

log = logging.getLogger(__name__)

# A reminder email that could not go out within a day has had its moment: the
# outbox marks it expired (counted, visible in the admin) rather than send it late.
EMAIL_LIFETIME = timedelta(days=1)

K = Reminder.Kind
BATCH = 500
INSERT_CHUNK = 2000  # reminder rows per INSERT while materialising
CLOSING_DAYS = 14  # the closing survey is asked within this many days of a match's end


def _zone(name: str | None) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


@lru_cache(maxsize=8192)
def _not_before(day: date, tz_name: str | None, start_hour: int) -> datetime:
    """The start of waking hours (`start_hour`) on `day`, in the recipient's zone (DST-aware)."""
    return datetime.combine(day, time(start_hour), tzinfo=_zone(tz_name))


def in_waking_hours(now: datetime, tz_name: str | None, hours: tuple[int, int] | None = None) -> bool:
    """Whether it is within waking hours (`hours`, else the program's: a loop passes them, read once)
    in the recipient's zone."""
    start, end = hours or cadence()["local_hours"]
    return start <= now.astimezone(_zone(tz_name)).hour < end


def _missing(kind: str, recipient_ref: str = "match__mea", occurrence_ref: str = "next_due"):
    return ~Exists(Reminder.objects.filter(
        kind=kind, match=OuterRef("match"), occurrence=OuterRef(occurrence_ref), recipient=OuterRef(recipient_ref)
    ))


def _long_overdue_recipients(group_ids: set[int]) -> tuple[dict[int, list[tuple[int, str]]], list[tuple[int, str]]]:
    """(coordinators by group, program staff), each as (user id, time zone): staff hear about every group."""
    coordinators = defaultdict(list)
    for group_id, user_id, tz in RoleGrant.objects.filter(
        role=Role.COORDINATOR, ended_at=None, group_id__in=group_ids, user__is_active=True
    ).values_list("group_id", "user_id", "user__profile__time_zone"):
        coordinators[group_id].append((user_id, tz))
    staff = list(RoleGrant.objects.filter(role=Role.STAFF, ended_at=None, user__is_active=True)
                 .values_list("user_id", "user__profile__time_zone").distinct())
    return coordinators, staff


def materialise(now: datetime, send=lambda ids: None) -> int:
    """Insert the Reminder rows that are due by now and do not exist yet, INSERT_CHUNK at a time, handing
    each chunk's rows that may go out now to `send` as it is committed. Returns how many were tried."""
    c = cadence()  # read once: the program's settings per row cost more than the row
    start_hour, hours = c["local_hours"][0], c["local_hours"]
    # The latest calendar date anywhere (UTC+14): a due date up to here may already be "today" somewhere.
    horizon = (now + timedelta(hours=14)).date()
    active = MatchSupport.objects.filter(match__status=Match.Status.ACTIVE)
    with_mea = active.filter(match__mea__isnull=False)
    created = timezone.now()
    rows: list[Reminder] = []
    now_ok: list[bool] = []  # per row: may go out now (past not_before, recipient awake)
    awake = lru_cache(maxsize=None)(lambda tz: in_waking_hours(now, tz, hours))  # per time zone, not per row
    tried = 0

    def flush():
        nonlocal tried
        # The unique (kind, match, occurrence, recipient) key is the guard: a reminder a concurrent scan
        # inserted is left as it is (its not_before recomputed) and its id returned: queued twice, claimed once.
        Reminder.objects.bulk_create(rows, update_conflicts=True, update_fields=["not_before"],
                                     unique_fields=["kind", "match", "occurrence", "recipient"])
        send([r.pk for r, ok in zip(rows, now_ok, strict=True) if ok])
        tried += len(rows)
        rows.clear()
        now_ok.clear()

    def add(kind, match_id, recipient_id, occurrence, not_before, tz, request_id=None, meeting_id=None):
        rows.append(Reminder(kind=kind, match_id=match_id, recipient_id=recipient_id, occurrence=occurrence,
                             request_id=request_id, meeting_id=meeting_id, not_before=not_before, created_at=created))
        now_ok.append(not_before <= now and awake(tz))
        if len(rows) >= INSERT_CHUNK:
            flush()

    for kind, delay in ((K.CHECKIN_DUE, 0), (K.CHECKIN_OVERDUE, c["overdue_after_days"])):
        due = with_mea.filter(next_due__lte=horizon - timedelta(days=delay)).filter(_missing(kind))
        fields = ("match_id", "next_due", "match__mea_id", "match__mea__profile__time_zone")
        for match_id, next_due, mea_id, tz in due.values_list(*fields).iterator(chunk_size=5000):
            add(kind, match_id, mea_id, next_due, _not_before(next_due + timedelta(days=delay), tz, start_hour), tz)

    long_after = c["long_overdue_days"]
    late = list(
        active.filter(next_due__lte=horizon - timedelta(days=long_after))
        .filter(~Exists(Reminder.objects.filter(kind=K.LONG_OVERDUE, match=OuterRef("match"), occurrence=OuterRef("next_due"))))
        .values_list("match_id", "next_due", "match__group_id")
    )
    if late:
        coordinators, staff = _long_overdue_recipients({group_id for _m, _d, group_id in late})
        for match_id, next_due, group_id in late:
            # A coordinator who is also staff hears once.
            for user_id, tz in dict([*staff, *coordinators[group_id]]).items():
                add(K.LONG_OVERDUE, match_id, user_id, next_due,
                    _not_before(next_due + timedelta(days=long_after), tz, start_hour), tz)
        if not staff and any(not coordinators[group_id] for _m, _d, group_id in late):
            log.error("long-overdue check-ins in a group with no coordinator, and no program staff to tell")

    asked = (
        CheckInRequest.objects.filter(status=CheckInRequest.Status.PENDING, match__status=Match.Status.ACTIVE)
        .filter(~Exists(Reminder.objects.filter(kind=K.REQUEST, request=OuterRef("pk"))))
        .values_list("pk", "match_id", "respondent_id", "created_at", "respondent__profile__time_zone")
    )
    for request_id, match_id, respondent_id, created_at, tz in asked.iterator(chunk_size=5000):
        add(K.REQUEST, match_id, respondent_id, created_at.date(), created_at, tz, request_id=request_id)
    _materialise_voices(now, horizon, active, add, c)
    flush()
    return tried


SIDES = (("match__mentor_id", "match__mentor__profile__time_zone"),
         ("match__mentee_id", "match__mentee__profile__time_zone"))


def _materialise_voices(now: datetime, horizon: date, active, add, c: dict) -> None:
    """Pulse surveys before each check-in, meeting reminders the day before, closing surveys after an end
    (`c`: the cadence, read once by the caller)."""
    lead, start_hour = c.get("pulse_before_days"), c["local_hours"][0]
    for person, tz_field in SIDES if lead is not None else ():  # None: the program sends no pulse surveys
        due = active.filter(next_due__lte=horizon + timedelta(days=lead)).filter(_missing(K.PULSE, person.removesuffix("_id")))
        for match_id, next_due, user_id, tz in due.values_list("match_id", "next_due", person, tz_field).iterator(
                chunk_size=5000):
            add(K.PULSE, match_id, user_id, next_due, _not_before(next_due - timedelta(days=lead), tz, start_hour), tz)
    # Accepted meetings starting within two days; a row per person and local day (a moved meeting on
    # another day is a new reminder; the unique key makes the same day remind once).
    soon = Meeting.objects.filter(status=Meeting.Status.ACCEPTED, match__status=Match.Status.ACTIVE,
                                  starts_at__gt=now, starts_at__lte=now + timedelta(days=2))
    for person, tz_field in SIDES:
        for meeting_id, match_id, starts_at, user_id, tz in soon.values_list(
                "pk", "match_id", "starts_at", person, tz_field).iterator(chunk_size=5000):
            day = starts_at.astimezone(_zone(tz)).date()
            add(K.MEETING, match_id, user_id, day, _not_before(day - timedelta(days=1), tz, start_hour), tz,
                meeting_id=meeting_id)
    ended = Match.objects.filter(status=Match.Status.ENDED, ended_at__gte=now - timedelta(days=CLOSING_DAYS))
    for person, tz_field in (("mentor_id", "mentor__profile__time_zone"), ("mentee_id", "mentee__profile__time_zone")):
        for match_id, ended_at, user_id, tz in ended.filter(~Exists(Reminder.objects.filter(
                kind=K.CLOSING, match=OuterRef("pk"), recipient=OuterRef(person)))).values_list(
                "pk", "ended_at", person, tz_field):
            day = ended_at.astimezone(_zone(tz)).date()
            add(K.CLOSING, match_id, user_id, day, _not_before(day + timedelta(days=1), tz, start_hour), tz)


def due_ids(now: datetime) -> list[int]:
    """Pending reminders that may go out now: past `not_before` and within the recipient's waking hours."""
    pending = Reminder.objects.filter(status=Reminder.Status.PENDING, not_before__lte=now).values_list(
        "pk", "recipient__profile__time_zone"
    ).order_by("pk")
    hours = cadence()["local_hours"]
    awake = lru_cache(maxsize=None)(lambda tz: in_waking_hours(now, tz, hours))  # per time zone, not per row
    return [pk for pk, tz in pending.iterator(chunk_size=5000) if awake(tz)]


# --- Sending a batch -------------------------------------------------------------


def _answered(reminders: list[Reminder]) -> set[tuple]:
    """(kind, match, respondent, occurrence) of the pulse and closing surveys these reminders ask for and that
    are answered already (one query per batch); a closing survey's occurrence is left out (None)."""
    voices = [r for r in reminders if r.kind in (K.PULSE, K.CLOSING)]
    if not voices:
        return set()
    rows = Survey.objects.filter(kind__in=[Survey.Kind.PULSE, Survey.Kind.CLOSING],
                                 match_id__in={r.match_id for r in voices},
                                 respondent_id__in={r.recipient_id for r in voices})
    return {(kind, m, u, o if kind == Survey.Kind.PULSE else None)
            for kind, m, u, o in rows.values_list("kind", "match_id", "respondent_id", "occurrence")}


def _is_stale(r, now: datetime, answered: frozenset, overdue_after_days: int) -> bool:
    """True when the reminder (a row of send_many's CLAIMED columns) no longer applies: match ended,
    check-in done, MEA changed, answered."""
    if r.kind == K.CLOSING:  # asked within CLOSING_DAYS of the end, and only until answered
        ended = r.match__ended_at
        return (ended is None or ended < now - timedelta(days=CLOSING_DAYS)
                or (Survey.Kind.CLOSING, r.match_id, r.recipient_id, None) in answered)
    if r.match__status != Match.Status.ACTIVE:
        return True
    if r.kind == K.MEETING:
        starts = r.meeting__starts_at
        return (r.meeting__status != Meeting.Status.ACCEPTED or starts <= now
                or starts.astimezone(_zone(r.recipient__profile__time_zone)).date() != r.occurrence)
    if r.kind == K.REQUEST:
        return r.request__status != CheckInRequest.Status.PENDING
    if r.match__support__next_due != r.occurrence:  # None: no support row
        return True
    if r.kind in (K.CHECKIN_DUE, K.CHECKIN_OVERDUE) and r.match__mea_id != r.recipient_id:
        return True
    if r.kind == K.PULSE:
        return (Survey.Kind.PULSE, r.match_id, r.recipient_id, r.occurrence) in answered
    if r.kind == K.CHECKIN_DUE:
        # Already past the overdue point (e.g. after an outage): the overdue reminder says it all.
        local_today = now.astimezone(_zone(r.recipient__profile__time_zone)).date()
        return local_today >= r.occurrence + timedelta(days=overdue_after_days)
    return False


def _title(kind: str) -> str:
    return {
        K.REQUEST: _("Your MEA asked how your mentoring is going"),
        K.CHECKIN_DUE: _("A check-in with one of your matches is due"),
        K.CHECKIN_OVERDUE: _("A check-in with one of your matches is overdue"),
        K.PULSE: _("How is your mentoring going? One minute, for your MEA"),
        K.MEETING: _("Reminder: you have a mentoring meeting tomorrow"),
        K.CLOSING: _("Your match has ended: how was it?"),
    }.get(kind, _("An MEA's check-ins are long overdue"))


def _path(reminder, staff_ids: set[int]) -> str:
    """Where the recipient can act on it: a page they may open."""
    if reminder.kind == K.REQUEST:
        return reverse("support:request_answer", args=[reminder.request_id])
    if reminder.kind == K.PULSE:  # the email's one-click link (signed, expiring, single-use)
        return pulse_link_path(match_id=reminder.match_id, user_id=reminder.recipient_id,
                               occurrence=reminder.occurrence)
    if reminder.kind == K.MEETING:
        return reverse("meetings:detail", args=[reminder.meeting_id])
    if reminder.kind == K.CLOSING:
        return reverse("support:closing_survey", args=[reminder.match_id])
    if reminder.kind == K.LONG_OVERDUE:
        if reminder.recipient_id in staff_ids:
            return reverse("admin:matches_match_change", args=[reminder.match_id])
        return reverse("support:coordinator_dashboard")
    return reverse("support:match_detail", args=[reminder.match_id])


# What a claim reads of each reminder: the staleness check's columns, not whole rows of six tables.
CLAIMED = ("pk", "kind", "match_id", "recipient_id", "occurrence", "request_id", "meeting_id", "not_before",
           "recipient__email", "recipient__profile__time_zone", "match__status", "match__ended_at", "match__mea_id",
           "match__support__next_due", "request__status", "meeting__status", "meeting__starts_at")


def send_many(ids: list[int], now: datetime | None = None) -> dict[str, int]:
    """Send a batch of reminders in one transaction; their emails go out as ONE delivery task after commit.

    The batch's pending reminders are locked (a concurrent run of the same
    batch waits, then finds them sent), the fresh ones marked sent and the
    stale ones skipped, and their outbox emails and portal notices written, all
    in the same transaction: a worker that dies before the commit leaves the
    whole batch pending for the next scan, one that dies after it has written
    every email and notice. Reminders outside the recipient's waking hours stay pending.
    """
    now = now or timezone.now()
    ids = sorted({int(pk) for pk in ids})
    counts: dict[str, int] = defaultdict(int)
    with transaction.atomic():
        pending = list(
            Reminder.objects.filter(pk__in=ids, status=Reminder.Status.PENDING)
            .select_for_update(of=("self",)).order_by("pk").values_list(*CLAIMED, named=True)
        )
        counts["done"] = len(ids) - len(pending)  # sent or skipped already (a retried or duplicate batch)
        fresh, stale = [], []
        answered = _answered(pending)
        c = cadence()  # once for the batch
        for r in pending:
            if r.not_before > now or not in_waking_hours(now, r.recipient__profile__time_zone, c["local_hours"]):
                counts["later"] += 1  # stays pending; a later scan queues it in the recipient's waking hours
            elif _is_stale(r, now, answered, c["overdue_after_days"]):
                stale.append(r.pk)
            else:
                fresh.append(r)
        counts["skipped"] = Reminder.objects.filter(pk__in=stale).update(status=Reminder.Status.SKIPPED)
        counts["sent"] = Reminder.objects.filter(pk__in=[r.pk for r in fresh]).update(
            status=Reminder.Status.SENT, sent_at=now)
        long_overdue = {r.recipient_id for r in fresh if r.kind == K.LONG_OVERDUE}
        staff_ids = set(RoleGrant.objects.filter(role=Role.STAFF, ended_at=None, user_id__in=long_overdue)
                        .values_list("user_id", flat=True)) if long_overdue else set()
        titles = {kind: _title(kind) for kind in {r.kind for r in fresh}}  # translated once per kind
        emails, notices = [], []
        for r in fresh:
            title, path, key = titles[r.kind], _path(r, staff_ids), f"reminder:{r.pk}"
            subject, text, html = email_render("reminder", {"title": title, "path": path})
            emails.append({"to": r.recipient__email, "subject": subject, "body_text": text,
                           "body_html": html, "dedupe_key": key, "user_id": r.recipient_id,
                           # A pulse email's one-click link answers for the person: blanked once delivered.
                           "secret": r.kind == K.PULSE})
            # The portal notice never carries the email's signed link: it opens the pulse form in the portal.
            notice_path = reverse("support:pulse", args=[r.match_id]) if r.kind == K.PULSE else path
            notices.append((r.recipient_id, title, notice_path, key))
        # Same transaction as the claim: claim, email and notice are saved together or not at all.
        email_ids = email_queue_many(emails, expires_at=now + EMAIL_LIFETIME)
        notices_create(notices)
    # After commit: delivery tasks of one SMTP connection each; broker down -> the outbox drain.
    email_deliver_batch(email_ids)
    return {k: v for k, v in counts.items() if v}


def scan(enqueue, now: datetime | None = None) -> dict[str, int]:
    """One beat run: create missing support rows, queue what earlier runs left pending, then materialise
    and queue the new reminders (`enqueue(batch)`: support.tasks.send_reminders.delay). Once the broker
    refused a batch, nothing more is queued in this run: the rows stay pending for the next."""
    now = now or timezone.now()
    created = supports_ensure()
    counts = {"due": 0, "queued": 0}

    def send(ids: list[int]) -> None:
        for batch in (ids[i:i + BATCH] for i in range(0, len(ids), BATCH)):
            refused = counts["queued"] < counts["due"]  # the broker refused a batch: the rest waits too
            counts["due"] += len(batch)
            if not refused:
                try:
                    enqueue(batch)
                    counts["queued"] += len(batch)
                except Exception:  # noqa: BLE001 - broker down: the rows stay pending, the next scan finds them
                    log.warning("broker unavailable; due reminders left pending for the next scan")

    send(due_ids(now))  # before materialising: only what an earlier run left pending
    tried = materialise(now, send)
    log.info("reminder scan: %d support rows created, %d reminders materialised, %d of %d queued",
             created, tried, counts["queued"], counts["due"])
    return {"supports_created": created, "materialised": tried, **counts}

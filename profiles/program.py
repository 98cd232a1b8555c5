"""Program settings: one row staff edit in the admin; the environment gives the defaults.

Every reader goes through `program_settings()`, which returns the values in
force: a field left blank in the row (or no row at all) falls back to the
environment setting of the same meaning (mentorship/settings.py), read at call
time, so a test's `settings.X = ...` still applies while nobody has saved the row.

The row is read at most once per `MEMO_SECONDS` per process (a process-local
memo, forgotten at once in the process that saves): other web and Celery
processes see a change within that time. A database that cannot be read gives
the environment defaults, so nothing that reads a setting fails because of it.

A singleton model rather than django-constance: constance's admin saves only
for holders of the Django permission `constance.change_config`, and program
staff hold no Django model permissions (profiles/admin_access.py decides by role).
"""

import functools
import re
import threading
import time
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import DatabaseError, models, transaction
from django.utils.translation import gettext_lazy as _

from .history import tracked

MEMO_SECONDS = 30
_NO_ROW = object()
_memo: dict = {"row": None, "at": 0.0}
_lock = threading.Lock()

# A number a phone can dial: digits, optionally a leading +, spaces, dashes, dots or brackets.
DIALABLE = re.compile(r"^\+?[0-9][0-9 ().-]{1,24}$")
KINDS = ("call", "text")


# The check-in cadence's defaults, after the mentoring field's common standard
# (support/cadence.py explains each key and how the next due date follows).
DEFAULT_CADENCE = {
    "first": [14, 30],
    "every": 30,
    "overdue_after_days": 3,
    "long_overdue_days": 14,
    "repeated_cancellations": 2,
    # Meetings cancelled (meetings app records) within this many days count towards "repeatedly".
    "cancellations_window_days": 60,
    # The pulse survey goes to mentor and mentee this many days before each check-in is due (None: no pulse).
    "pulse_before_days": 2,
    "low_rating": 2,
    # Reminders are sent between these local hours (24 h clock, [start, end)).
    "local_hours": [9, 20],
}


def dialable(value: str) -> None:
    if value and (not DIALABLE.match(value) or sum(ch.isdigit() for ch in value) < 2):
        raise ValidationError(_("“%(number)s” is not a number a phone can dial."), params={"number": value})


@functools.cache
def time_zone_names() -> frozenset[str]:
    """The zone names Python's tzdata knows ("Europe/London"), listed once per process: listing reads the disk."""
    return frozenset(zoneinfo.available_timezones())


def known_time_zone(value: str) -> None:
    if value and value not in time_zone_names():
        raise ValidationError(_("“%(zone)s” is not a time zone name, e.g. “Europe/London”."), params={"zone": value})


def positive_hours(value) -> None:
    if value is not None and value <= 0:
        raise ValidationError(_("Hours must be more than zero."))


def emergency_numbers_parse(text: str) -> list[dict]:
    """Lines of "label | number | call or text" into [{"label", "number", "kind"}]; a ValidationError names the line."""
    numbers = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) == 2:
            parts.append("call")
        if len(parts) != 3 or not parts[0]:
            raise ValidationError(_("Line %(n)s: write it as “label | number | call or text”."), params={"n": n})
        label, number, kind = parts
        if not DIALABLE.match(number) or sum(ch.isdigit() for ch in number) < 2:
            raise ValidationError(_("Line %(n)s: “%(number)s” is not a number a phone can dial."),
                                  params={"n": n, "number": number})
        if kind.lower() not in KINDS:
            raise ValidationError(_("Line %(n)s: the last part is “call” or “text”."), params={"n": n})
        numbers.append({"label": label, "number": number, "kind": kind.lower()})
    return numbers


def checkin_days_parse(text: str) -> list[int]:
    try:
        days = [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError:
        raise ValidationError(_("Write whole days separated by commas, e.g. “14, 30”.")) from None
    if not days or any(day <= 0 for day in days) or days != sorted(set(days)):
        raise ValidationError(_("Days must be more than zero and increasing, e.g. “14, 30”."))
    return days


@tracked("ProgramSettingsHistory", exclude=["updated_at"])
class ProgramSettings(models.Model):
    """The program's settings (one row, pk=1). A blank field means: the environment's default."""

    program_name = models.CharField(_("program name"), max_length=120, blank=True)
    time_zone = models.CharField(
        _("new members' time zone"), max_length=64, blank=True, validators=[known_time_zone],
        help_text=_("A new member's profile starts in the zone their browser reports when they sign up; "
                    "this one when it reports none. Each member can change theirs on their profile."))
    staff_email = models.EmailField(_("staff contact email"), blank=True,
                                    help_text=_("The program's staff inbox: gets reports that need staff."))
    checkin_first_days = models.CharField(
        _("first check-ins (days after the match starts)"), max_length=60, blank=True,
        help_text=_("Comma-separated, e.g. “14, 30”: two check-ins in the first month."),
    )
    checkin_every_days = models.PositiveSmallIntegerField(
        _("then a check-in every (days)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(365)])
    checkin_overdue_after_days = models.PositiveSmallIntegerField(
        _("second reminder to the MEA after (days overdue)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(90)])
    checkin_long_overdue_days = models.PositiveSmallIntegerField(
        _("tell coordinators after (days overdue)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(180)])
    ack_hours_tier1 = models.FloatField(_("acknowledge within (hours), tier 1 (MEA)"), null=True, blank=True,
                                        validators=[positive_hours])
    ack_hours_tier2 = models.FloatField(_("acknowledge within (hours), tier 2 (staff)"), null=True, blank=True,
                                        validators=[positive_hours])
    ack_hours_tier3 = models.FloatField(_("acknowledge within (hours), tier 3 (emergency)"), null=True, blank=True,
                                        validators=[positive_hours])
    mea_caseload_limit = models.PositiveSmallIntegerField(
        _("most matches per MEA"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(100)])
    proposal_remind_after_hours = models.FloatField(_("remind about an unanswered proposal after (hours)"),
                                                    null=True, blank=True, validators=[positive_hours])
    proposal_expire_after_hours = models.FloatField(_("a proposal expires after (hours)"), null=True, blank=True,
                                                    validators=[positive_hours])
    unmatched_nudge_after_days = models.PositiveSmallIntegerField(
        _("tell coordinators about a waiting mentee after (days)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)])
    chat_post_ttl_days = models.PositiveSmallIntegerField(
        _("chat board posts are listed for (days)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)])
    small_cell_threshold = models.PositiveSmallIntegerField(
        _("hide counts smaller than"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Program insights never show a group of fewer people than this."))
    emergency_numbers = models.TextField(
        _("emergency numbers"), blank=True,
        help_text=_("One a line: “label | number | call or text”, e.g. “Emergency services | 911 | call”. "
                    "Blank: the defaults (911 and 988)."),
    )
    # The numbers of the emergency guidance (/help/ and report pages); a group may have its own.
    emergency_services = models.CharField(_("emergency services"), max_length=30, blank=True, validators=[dialable])
    crisis_line = models.CharField(_("crisis line: call"), max_length=30, blank=True, validators=[dialable])
    crisis_text = models.CharField(_("crisis line: text"), max_length=30, blank=True, validators=[dialable])
    dv_hotline = models.CharField(_("domestic violence hotline: call"), max_length=30, blank=True,
                                  validators=[dialable])
    dv_text = models.CharField(_("domestic violence hotline: text"), max_length=30, blank=True, validators=[dialable])
    child_abuse_hotline = models.CharField(_("child abuse hotline: call"), max_length=30, blank=True,
                                           validators=[dialable])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("program settings")
        verbose_name_plural = _("program settings")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="programsettings_singleton")]

    def __str__(self) -> str:
        return str(_("Program settings"))

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)
        with _lock:
            _memo["row"], _memo["at"] = self, time.monotonic()
        # After commit, read it back: what readers in this process (the emergency page too) see is what was stored.
        transaction.on_commit(_reload)

    def clean(self) -> None:
        errors = {}
        if self.checkin_first_days:
            try:
                checkin_days_parse(self.checkin_first_days)
            except ValidationError as exc:
                errors["checkin_first_days"] = exc
        if self.emergency_numbers:
            try:
                emergency_numbers_parse(self.emergency_numbers)
            except ValidationError as exc:
                errors["emergency_numbers"] = exc
        values = program_settings(row=self)
        if values.proposal_remind_after >= values.proposal_expire_after:
            errors["proposal_remind_after_hours"] = _("The reminder must come before the proposal expires.")
        if errors:
            raise ValidationError(errors)


@dataclass(frozen=True)
class Program:
    """The settings in force (row over environment)."""

    program_name: str
    time_zone: str  # a new member's, when their browser gave none
    staff_email: str
    checkin_cadence: dict
    ack_deadlines: dict[int, float]
    mea_caseload_limit: int
    proposal_remind_after: float  # hours
    proposal_expire_after: float  # hours
    unmatched_nudge_after: int  # days
    chat_post_ttl_days: int
    small_cell_threshold: int
    emergency_numbers: list[dict] = field(default_factory=list)


def program_settings_forget(*, assume_no_row: bool = False) -> None:
    """Forget the memoised row (after a save). `assume_no_row`: a fresh database, nothing to read (tests)."""
    with _lock:
        _memo["row"], _memo["at"] = (_NO_ROW, time.monotonic()) if assume_no_row else (None, 0.0)


def program_row_cached() -> ProgramSettings:
    """The row as this process last read it, never reading the database (the emergency
    page must render with the database down): blanks (the environment's values) when
    this process has not read it yet. Any signed-in page refreshes it."""
    with _lock:
        row = _memo["row"]
    return row if isinstance(row, ProgramSettings) else ProgramSettings()


def _reload() -> None:
    program_settings_forget()
    _row()


def _row():
    now = time.monotonic()
    with _lock:
        if _memo["row"] is not None and now - _memo["at"] < MEMO_SECONDS:
            return _memo["row"]
    try:
        row = ProgramSettings.objects.filter(pk=1).first() or _NO_ROW
    except DatabaseError:
        return _NO_ROW  # the defaults; not memoised, so the next call tries again
    with _lock:
        _memo["row"], _memo["at"] = row, now
    return row


def program_settings(*, row: ProgramSettings | None = None) -> Program:
    """The program's settings in force. `row`: resolve an unsaved row (form validation)."""
    if row is None:
        row = _row()
    if row is _NO_ROW:
        row = ProgramSettings()
    env_deadlines = {int(k): float(v) for k, v in settings.ESCALATION_ACK_DEADLINES.items()}
    cadence = {**DEFAULT_CADENCE, **getattr(settings, "CHECKIN_CADENCE", {})}
    if row.checkin_first_days:
        try:
            cadence["first"] = checkin_days_parse(row.checkin_first_days)
        except ValidationError:
            pass  # not saved past validation; the default stays
    for key, value in (("every", row.checkin_every_days), ("overdue_after_days", row.checkin_overdue_after_days),
                       ("long_overdue_days", row.checkin_long_overdue_days)):
        if value:
            cadence[key] = value
    numbers = settings.EMERGENCY_NUMBERS
    if row.emergency_numbers:
        try:
            numbers = emergency_numbers_parse(row.emergency_numbers)
        except ValidationError:
            pass
    return Program(
        program_name=row.program_name or settings.PROGRAM_NAME,
        time_zone=row.time_zone or settings.PROGRAM_TIME_ZONE,
        staff_email=row.staff_email or settings.STAFF_EMAIL,
        checkin_cadence=cadence,
        ack_deadlines={
            1: row.ack_hours_tier1 or env_deadlines.get(1, 72.0),
            2: row.ack_hours_tier2 or env_deadlines.get(2, 24.0),
            3: row.ack_hours_tier3 or env_deadlines.get(3, 1.0),
        },
        mea_caseload_limit=row.mea_caseload_limit or settings.MEA_CASELOAD_LIMIT,
        proposal_remind_after=row.proposal_remind_after_hours or settings.PROPOSAL_REMIND_AFTER,
        proposal_expire_after=row.proposal_expire_after_hours or settings.PROPOSAL_EXPIRE_AFTER,
        unmatched_nudge_after=row.unmatched_nudge_after_days or settings.UNMATCHED_NUDGE_AFTER,
        chat_post_ttl_days=row.chat_post_ttl_days or settings.CHAT_POST_TTL_DAYS,
        small_cell_threshold=row.small_cell_threshold or getattr(settings, "SMALL_CELL_THRESHOLD", 5),
        emergency_numbers=numbers,
    )


def program_defaults() -> dict[str, str]:
    """What each field of the row falls back to when blank (the environment's values), for the admin."""
    values = program_settings(row=ProgramSettings())
    cadence = values.checkin_cadence
    return {
        "program_name": values.program_name,
        "time_zone": values.time_zone,
        "staff_email": values.staff_email or "—",
        "emergency_numbers": "; ".join(f"{n['label']} {n['number']} ({n['kind']})" for n in values.emergency_numbers),
        "checkin_first_days": ", ".join(str(day) for day in cadence["first"]),
        "checkin_every_days": cadence["every"],
        "checkin_overdue_after_days": cadence["overdue_after_days"],
        "checkin_long_overdue_days": cadence["long_overdue_days"],
        "ack_hours_tier1": values.ack_deadlines[1],
        "ack_hours_tier2": values.ack_deadlines[2],
        "ack_hours_tier3": values.ack_deadlines[3],
        "mea_caseload_limit": values.mea_caseload_limit,
        "proposal_remind_after_hours": values.proposal_remind_after,
        "proposal_expire_after_hours": values.proposal_expire_after,
        "unmatched_nudge_after_days": values.unmatched_nudge_after,
        "chat_post_ttl_days": values.chat_post_ttl_days,
        "small_cell_threshold": values.small_cell_threshold,
        "emergency_services": settings.EMERGENCY_SERVICES,
        "crisis_line": settings.CRISIS_LINE,
        "crisis_text": settings.CRISIS_TEXT,
        "dv_hotline": settings.DV_HOTLINE,
        "dv_text": settings.DV_TEXT,
        "child_abuse_hotline": settings.CHILD_ABUSE_HOTLINE,
    }

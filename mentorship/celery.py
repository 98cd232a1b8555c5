"""The Celery app: configured from Django settings (CELERY_*), tasks autodiscovered."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")

app = Celery("mentorship")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Database connections are reused across tasks, as across web requests. Celery's
# Django fixup closes every connection before and after each task unless
# DB_REUSE_MAX is set; with it set, Django's own rules decide, applied around
# each task here as Django applies them around each request: a connection older
# than CONN_MAX_AGE (60 s in production, 0 under DEBUG) or broken
# (CONN_HEALTH_CHECKS) is closed, any other is kept.
app.conf["CELERY_DB_REUSE_MAX"] = 1000


def _close_old_connections(sender=None, **kwargs):
    if not getattr(getattr(sender, "request", None), "is_eager", False):  # eager: the caller's connection
        from django.db import close_old_connections

        close_old_connections()


task_prerun.connect(_close_old_connections, weak=False)
task_postrun.connect(_close_old_connections, weak=False)

# The beat schedule is static and reviewed like code. Each periodic task only
# finds what is due and queues small per-item work; all are safe to run twice.
app.conf.beat_schedule = {
    # The outbox (emails, report notifications, the staff webhook): every due
    # row, whose immediate send was lost (broker down, server refusing, worker
    # killed) or whose backoff has run out, is retried here; nothing is dropped.
    "outbox-drain": {
        "task": "notifications.tasks.outbox_drain",
        "schedule": crontab(minute="*"),
    },
    # Liveness of beat and workers: /healthz reports "stale" when this row is old.
    "beat-heartbeat": {
        "task": "mentorship.tasks.beat_heartbeat",
        "schedule": crontab(minute="*"),
    },
    # Check-in reminders (MEA due/overdue, self check-in asked, coordinator when
    # long overdue). Scans by due date, so a run missed while the broker was
    # down is caught up; each reminder is claimed before sending (at most once)
    # and goes out in the recipient's local waking hours, hence every 10 minutes.
    "checkin-reminders": {
        "task": "support.tasks.reminders_scan",
        "schedule": crontab(minute="*/10"),
    },
    # The dashboards' stored need score, for the new day (a check-in that became
    # due or overdue) and repaired where it drifted; logs how many (support.need).
    "need-scores-recompute": {
        "task": "support.tasks.need_scores_recompute",
        "schedule": crontab(hour=0, minute=5),
    },
    # The pairing board's stored waiting-since, repaired where it drifted (matches.waiting).
    "waiting-since-recompute": {
        "task": "matches.tasks.waiting_since_recompute",
        "schedule": crontab(hour=0, minute=15),
    },
    # Reports past their acknowledgement deadline: tier 1 moves to staff, staff
    # reports are sent again, then to every staff member. Every minute because
    # an emergency report's deadline is an hour.
    "check-concern-deadlines": {
        "task": "escalations.tasks.check_concern_deadlines",
        "schedule": crontab(minute="*"),
    },
    # Matching: unanswered proposals get one reminder (after PROPOSAL_REMIND_AFTER
    # hours), then expire; each is claimed by a conditional update, so a rerun
    # or an overlapping run reminds and expires once.
    "matching-proposals": {
        "task": "matches.tasks.proposals_scan",
        "schedule": crontab(minute="*/15"),
    },
    # Mentees waiting longer than UNMATCHED_NUDGE_AFTER days with no open
    # proposal are brought to their coordinators, once per waiting spell.
    "matching-unmatched-nudge": {
        "task": "matches.tasks.unmatched_mentees_nudge",
        "schedule": crontab(hour=14, minute=5),
    },
}

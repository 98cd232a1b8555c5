"""Check-in reminders on Celery. See support/reminders.py for the rules and the
at-most-once guarantee; these tasks only call it, take ids, and are safe to run twice."""

from celery import shared_task

from . import need, reminders


@shared_task
def reminders_scan() -> dict[str, int]:
    """Beat: find what is due (by due date, so runs missed while the broker was down catch up) and queue it."""
    return reminders.scan(enqueue=send_reminders.delay)


@shared_task(acks_late=True)
def send_reminders(reminder_ids: list[int]) -> dict[str, int]:
    """Send a batch. Each reminder is claimed before it is sent, so a redelivered batch sends nothing twice."""
    return reminders.send_many([int(pk) for pk in reminder_ids])


@shared_task
def need_scores_recompute() -> dict[str, int]:
    """Nightly: every active match's need score for the new day; logs the drift repaired (counts only)."""
    return need.need_scores_recompute()

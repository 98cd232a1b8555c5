"""When a match's next check-in is due.

The cadence is a program setting staff edit in the admin (profiles/program.py);
the environment's `CHECKIN_CADENCE` (a dict; any key left out keeps its
default) is its default. The default follows the mentoring field's common standard:
two check-ins in the first month (day 14 and day 30 after the match started),
then one every 30 days. The next due date is always derived from the last
*completed* check-in, so an MEA who checks in late is not punished with a
shorter gap next time:

    no check-in yet      -> started_on + first[0]            (day 14)
    k-th check-in done   -> last_on + (first[k] - first[k-1]) while k < len(first)
    afterwards           -> last_on + every                   (30 days)

A match is *overdue* the day after its due date; the MEA gets a second
reminder `overdue_after_days` after the due date, and the group's coordinators
hear about it after `long_overdue_days`. A check-in is "on time" when held on or
before its due date. Two or more of the pair's meetings cancelled in the
last `cancellations_window_days` (60: about two monthly check-ins), as the
meetings app records them, count as "cancels repeatedly" (the seed's example).
"""

from datetime import date, timedelta

from profiles.program import program_settings


def cadence() -> dict:
    """The cadence in force: the program settings staff edit, over CHECKIN_CADENCE, over the defaults."""
    return program_settings().checkin_cadence


def next_due(started_on: date, checkins_done: int, last_on: date | None) -> date:
    c = cadence()
    first = sorted(c["first"])
    if checkins_done <= 0 or last_on is None:
        return started_on + timedelta(days=first[0] if first else c["every"])
    if checkins_done < len(first):
        return last_on + timedelta(days=first[checkins_done] - first[checkins_done - 1])
    return last_on + timedelta(days=c["every"])

"""Benchmark: one check-in reminder beat run over 100,000 active matches.

    DATABASE_URL=postgres://... .venv/bin/python -m bench.checkins [--matches 100000]

Creates a throwaway database (<name>_bench_checkins), bulk-creates the people,
matches and their check-in state (due dates spread over two months either side
of today, MEAs in time zones around the world), then times one run of
`support.reminders.scan`: create missing support rows, find what is due,
insert the Reminder rows and queue the send batches. Queuing is counted, not
sent to a broker, so the number measures our queries, not Redis. Prints the
time and the queries per 10,000 matches; the database is dropped at the end.
"""

import argparse
import os
import random
import time
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

ZONES = ["America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London", "Europe/Paris",
         "Asia/Kolkata", "Australia/Sydney", "Pacific/Auckland", "UTC"]
BATCH = 5000


def populate(n: int) -> None:
    from matches.models import Match
    from profiles.models import Profile, Role, RoleGrant, SupportGroup, User
    from support.models import MatchSupport

    rng = random.Random(42)
    groups = SupportGroup.objects.bulk_create([SupportGroup(name=f"Bench {i}", slug=f"bench-{i}") for i in range(20)])
    n_meas, n_mentors = max(1, n // 400), max(1, n // 50)

    def people(prefix: str, count: int) -> list[User]:
        made = []
        for start in range(0, count, BATCH):
            made += User.objects.bulk_create(
                [User(email=f"{prefix}{i}@bench.example.org", password="!") for i in range(start, min(count, start + BATCH))]
            )
        Profile.objects.bulk_create([Profile(user=u, time_zone=rng.choice(ZONES)) for u in made], batch_size=BATCH)
        return made

    meas, mentors, mentees = people("mea", n_meas), people("mentor", n_mentors), people("mentee", n)
    RoleGrant.objects.bulk_create([RoleGrant(user=u, role=Role.MEA, group=groups[i % 20]) for i, u in enumerate(meas)])
    RoleGrant.objects.bulk_create([RoleGrant(user=meas[0], role=Role.COORDINATOR, group=g) for g in groups])
    now, today = timezone.now(), timezone.localdate()
    for start in range(0, n, BATCH):
        matches = Match.objects.bulk_create([
            Match(mentor=mentors[i % n_mentors], mentee=mentees[i], group=groups[i % 20], mea=meas[i % n_meas],
                  started_at=now - timedelta(days=rng.randint(20, 300)))
            for i in range(start, min(n, start + BATCH))
        ])
        MatchSupport.objects.bulk_create([
            MatchSupport(match=m, next_due=today + timedelta(days=rng.randint(-60, 60)), checkins_done=rng.randint(0, 8))
            for m in matches
        ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--matches", type=int, default=100_000)
    args = parser.parse_args()

    from support import reminders

    connection.settings_dict["TEST"]["NAME"] = f"{connection.settings_dict['NAME']}_bench_checkins"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        t0 = time.perf_counter()
        populate(args.matches)
        print(f"generated {args.matches:,} matches in {time.perf_counter() - t0:.1f}s")
        queued_batches: list[int] = []
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            result = reminders.scan(enqueue=lambda batch: queued_batches.append(len(batch)))
            elapsed = time.perf_counter() - t0
        per = 10_000 / args.matches
        print(f"one beat run: {elapsed:.2f}s, {len(ctx.captured_queries)} queries "
              f"({elapsed * per:.3f}s and {len(ctx.captured_queries) * per:.1f} queries per 10,000 matches)")
        print(f"  reminders materialised: {result['materialised']:,}; due now in waking hours: {result['due']:,}; "
              f"queued in {len(queued_batches)} batches of up to {reminders.BATCH}")
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            again = reminders.scan(enqueue=lambda batch: None)
            elapsed = time.perf_counter() - t0
        print(f"second run (nothing new to materialise): {elapsed:.2f}s, {len(ctx.captured_queries)} queries, "
              f"{again['materialised']} new")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()

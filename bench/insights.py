"""Program insights at 100,000 matches: `.venv/bin/python -m bench.insights [--matches N] [--runs R]`.

Builds (once; kept between runs) a program of N matches (80% active, 20% ended)
in its own Postgres database `<DATABASE_URL name>_bench_insights` with
bulk_create: a mentee and a mentee role per match, mentors, MEAs, groups of ~400
matches, two check-ins per match and a concern on 5% of matches. Then times
every chart of the insights page (community.insights.compute_all) for staff
(every group) and for one coordinator's group over the default 12-month range,
and counts the queries. Target: under one second for all charts together.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

TARGET_SECONDS = 1.0
BATCH = 5000


def _database() -> str:
    db = os.environ.get("BENCH_INSIGHTS_DATABASE_URL") or os.environ.get("DATABASE_URL") or \
        "postgres://postgres@127.0.0.1:5432/mentorship"
    parts = urlsplit(db)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit("bench.insights needs Postgres: set DATABASE_URL=postgres://...")
    name = parts.path.lstrip("/") or "mentorship"
    if not name.endswith("_bench_insights"):
        name = f"{name}_bench_insights"
    from mentorship.devdb import ensure_database

    db = urlunsplit(parts._replace(path=f"/{name}"))
    ensure_database(db)
    return db


def setup() -> None:
    os.environ["DATABASE_URL"] = _database()
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def generate(n: int) -> None:
    """Bulk-create a program of `n` matches (skipped when it is there already)."""
    from django.db import transaction
    from django.utils import timezone

    from escalations.models import Concern
    from matches.models import Match
    from profiles.models import Membership, Role, RoleGrant, SupportGroup, User
    from support.models import CheckIn

    if Match.objects.count() >= n:
        print(f"program of {Match.objects.count():,} matches already there")
        return
    rng = random.Random(6)
    now = timezone.now()
    t0 = time.perf_counter()
    with transaction.atomic():
        for model in (CheckIn, Concern, Match, RoleGrant, Membership):
            model.objects.all().delete()
        User.objects.filter(email__endswith="@insights.bench").delete()
        SupportGroup.objects.filter(slug__startswith="ib-").delete()
        n_groups = max(1, n // 400)
        groups = SupportGroup.objects.bulk_create(
            [SupportGroup(name=f"Insights group {i}", slug=f"ib-{i}") for i in range(n_groups)], batch_size=BATCH)

        def people(prefix, count):
            return User.objects.bulk_create(
                [User(email=f"{prefix}{i}@insights.bench", password="!") for i in range(count)], batch_size=BATCH)

        mentees, mentors, meas = people("mentee", n), people("mentor", n // 2), people("mea", max(1, n // 6))
        coordinator = people("coordinator", 1)[0]
        RoleGrant.objects.bulk_create(
            [RoleGrant(user=u, role=Role.MENTEE, started_at=now - timedelta(days=rng.randint(20, 900))) for u in mentees]
            + [RoleGrant(user=u, role=Role.MENTOR) for u in mentors]
            + [RoleGrant(user=u, role=Role.MEA, group=groups[i % n_groups]) for i, u in enumerate(meas)]
            + [RoleGrant(user=coordinator, role=Role.COORDINATOR, group=groups[0])],
            batch_size=BATCH,
        )
        Membership.objects.bulk_create(
            [Membership(user=u, group=groups[i % n_groups]) for i, u in enumerate(mentees)], batch_size=BATCH)
        matches = []
        for i, mentee in enumerate(mentees):
            grant_age = rng.randint(0, 700)
            started = now - timedelta(days=grant_age, hours=rng.randint(0, 23))
            ended = i % 5 == 0
            matches.append(Match(
                mentor=mentors[i % len(mentors)], mentee=mentee, group=groups[i % n_groups], mea=meas[i % len(meas)],
                started_at=started, status="ended" if ended else "active",
                ended_at=started + timedelta(days=rng.randint(1, max(2, grant_age))) if ended else None,
                **({"ended_by": mentee if i % 2 else mentors[i % len(mentors)]} if ended and hasattr(Match, "ended_by") else {}),
            ))
            if ended and matches[-1].ended_at > now:
                matches[-1].ended_at = now
        matches = Match.objects.bulk_create(matches, batch_size=BATCH)
        today = timezone.localdate()
        checkins = []
        for m in matches:
            for _k in range(2):
                held = today - timedelta(days=rng.randint(0, 360))
                checkins.append(CheckIn(match=m, mea_id=m.mea_id, held_on=held, due_on=held + timedelta(days=rng.randint(-5, 3)),
                                        rating=rng.randint(1, 5), with_whom="both"))
        CheckIn.objects.bulk_create(checkins, batch_size=BATCH)
        concerns = []
        for m in matches[:: 20]:
            tier = rng.choice([1, 1, 1, 2, 3])
            created = now - timedelta(days=rng.randint(0, 360))
            concerns.append(Concern(
                reporter_id=m.mentor_id, match=m, about="mentee", situations=["relational"], tier=tier,
                kind="mea" if tier == 1 else "staff", escalated_to_staff=tier > 1, deadlines={"1": 72, "2": 24, "3": 1},
                ack_deadline=created + timedelta(hours=24), created_at=created,
                acknowledged_at=created + timedelta(hours=rng.randint(1, 80)) if rng.random() < 0.9 else None,
                status="acknowledged",
            ))
        Concern.objects.bulk_create(concerns, batch_size=BATCH)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"generated {len(matches):,} matches, {len(checkins):,} check-ins, {len(concerns):,} concerns "
          f"in {time.perf_counter() - t0:.1f} s")


def measure(runs: int) -> bool:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from community import insights
    from community.forms import InsightsFilterForm
    from profiles.models import SupportGroup

    start, end = InsightsFilterForm.default_range()
    first_group = SupportGroup.objects.filter(slug="ib-0").values_list("pk", flat=True).first()
    ok = True
    for who, group_ids in (("staff, every group", None), ("coordinator, one group", {first_group})):
        scope = insights.Scope(group_ids=group_ids, start=start, end=end)
        insights.compute_all(scope)  # warm the connection and the caches
        times, per_chart = [], {}
        for _ in range(runs):
            reset_queries()
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                for slug, fn in insights.available_metrics().items():
                    c0 = time.perf_counter()
                    fn(scope)
                    per_chart.setdefault(slug, []).append(time.perf_counter() - c0)
                times.append(time.perf_counter() - t0)
        median = statistics.median(times)
        verdict = "OK" if median < TARGET_SECONDS else "TOO SLOW"
        ok &= median < TARGET_SECONDS
        print(f"{who}: all charts median {median * 1000:.0f} ms (max {max(times) * 1000:.0f} ms) over {runs} runs, "
              f"{len(ctx.captured_queries)} queries -> {verdict} (target < {TARGET_SECONDS:.0f} s)")
        for slug, ts in per_chart.items():
            print(f"    {slug:<22} {statistics.median(ts) * 1000:7.1f} ms")
    ok &= measure_page(runs)
    return ok


def measure_page(runs: int) -> bool:
    """The whole page as staff through the Django test client: queries, charts, SVG rendering."""
    from django.test import Client
    from django.test.utils import setup_test_environment

    from profiles.models import Role, User
    from profiles.services import role_grant

    setup_test_environment()
    staff, _created = User.objects.get_or_create(email="staff@insights.bench", defaults={"password": "!"})
    role_grant(staff, Role.STAFF)
    client = Client()
    client.force_login(staff)
    client.get("/community/insights/")
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        response = client.get("/community/insights/")
        times.append(time.perf_counter() - t0)
        assert response.status_code == 200, response.status_code
    median = statistics.median(times)
    print(f"insights page as staff (render included): median {median * 1000:.0f} ms -> "
          f"{'OK' if median < TARGET_SECONDS else 'TOO SLOW'}")
    return median < TARGET_SECONDS


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--matches", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    setup()
    generate(args.matches)
    return 0 if measure(args.runs) else 1


if __name__ == "__main__":
    sys.exit(main())

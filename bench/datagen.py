"""Generate a program of a chosen size for the benchmark: `python -m bench datagen --matches N`.

The program itself is mentorship/sample_program.py (the query-budget tests use it
too). This empties every table first, so it only runs against a database whose
name contains "bench" (DATABASE_URL=postgres://.../mentorship_bench).
"""

import time

from django.db import connection

from mentorship.sample_program import Program


def assert_bench_database() -> None:
    name = connection.settings_dict.get("NAME") or ""
    if "bench" not in name:
        raise SystemExit(
            "datagen empties every table: it only runs on a database named *bench* "
            f"(this is {name!r}). "
            "Set DATABASE_URL=postgres://postgres@127.0.0.1:5432/mentorship_bench"
        )


def generate(n_matches: int, seed: int = 1) -> dict:
    assert_bench_database()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    t0 = time.perf_counter()
    program = Program(n_matches, seed)
    program.build()
    t1 = time.perf_counter()
    counts = program.write()
    # What the pages sort by, stored as the nightly tasks store it (need score, waiting-since).
    from matches.waiting import waiting_since_recompute
    from support.need import need_scores_recompute

    need_scores_recompute()
    waiting_since_recompute()
    t2 = time.perf_counter()
    # The tables as autovacuum leaves them long before a real program reached this size: planner
    # statistics (stale counts made Postgres sort a 2,000-row list it could read in order) and the
    # visibility map (without it a count along an index visits the table too). Done here, not by
    # autovacuum in the middle of a measured run.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    total = sum(counts.values())
    return {
        "matches_requested": n_matches,
        "rows": counts,
        "total_rows": total,
        "build_seconds": round(t1 - t0, 2),
        "write_seconds": round(t2 - t1, 2),
        "rows_per_second": round(total / max(t2 - t0, 1e-9)),
        "vacuum_seconds": round(time.perf_counter() - t2, 2),
        "probes": program.probes,
    }

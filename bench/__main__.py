"""`python -m bench [command]`: run the benchmarks and write docs/PERFORMANCE.md.

Commands: datagen, pages, reminders, matching, report, all (the default, what
`make bench` runs). It uses its own Postgres database (DATABASE_URL's name +
`_bench`, or BENCH_DATABASE_URL; datagen empties it) and Redis db 15 (or
BENCH_BROKER_URL).
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
ROOT = Path(__file__).resolve().parent.parent


def production_env() -> None:
    """Production settings for this process and every server/worker it starts.

    A throwaway secret (shared through the environment, so the sessions made
    here are valid in gunicorn), no HTTPS redirect (wrk speaks plain HTTP to
    127.0.0.1). MFA stays enforced: the probe staff, coordinators and MEAs
    have TOTP authenticators, as they would in production.
    """
    import secrets

    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-throwaway-" + secrets.token_urlsafe(32))
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    os.environ.setdefault("LOG_LEVEL", "WARNING")


def bench_services() -> None:
    """Point this run at its own database and Redis db, never the development ones.

    BENCH_DATABASE_URL / BENCH_BROKER_URL win; otherwise DATABASE_URL with
    `_bench` appended to the database name (created when missing) and
    CELERY_BROKER_URL on Redis db 15. datagen empties the database it runs on.
    """
    from urllib.parse import urlsplit, urlunsplit

    db = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/mentorship"
    parts = urlsplit(db)
    name = parts.path.lstrip("/")
    if parts.scheme.startswith("postgres") and "bench" not in name:
        name = f"{name or 'mentorship'}_bench"
        db = urlunsplit(parts._replace(path=f"/{name}"))
    from mentorship.devdb import ensure_database

    ensure_database(db)  # creates it when missing; a plain message when the server does not answer
    os.environ["DATABASE_URL"] = db
    broker = os.environ.get("BENCH_BROKER_URL")
    if not broker:
        base = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/0"
        if not base.startswith("redis://"):
            raise SystemExit("bench needs Redis: set CELERY_BROKER_URL=redis://... or BENCH_BROKER_URL")
        bp = urlsplit(base)
        broker = urlunsplit(bp._replace(path="/15"))
    os.environ["CELERY_BROKER_URL"] = broker
    # The shared cache production uses for sessions and rate limits (keys prefixed, so it can share the db).
    os.environ.setdefault("CACHE_URL", broker)


def setup_django() -> None:
    bench_services()
    production_env()
    # Not setdefault: importing the mentorship package (devdb above, Celery's app) sets
    # mentorship.settings, and the in-process page check then lost the bench URLconf (bare view 404).
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    # Static files collected before Django starts here: production's manifest storage reads
    # its manifest once, and a page rendered in this process (the targets' check) must find
    # every file (a favicon added since the last collect answered 500 otherwise).
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True)
    import django

    django.setup()


def save(name: str, data) -> Path:
    OUT.mkdir(exist_ok=True)
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str))
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("datagen", help="generate a program of N matches (empties the bench database)")
    p.add_argument("--matches", type=int, default=1000)
    p.add_argument("--seed", type=int, default=1)
    p = sub.add_parser("pages", help="page throughput with gunicorn + wrk (on the data already generated)")
    p.add_argument("--duration", type=float, default=5.0, help="seconds per wrk run")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--connections", type=int, default=4)
    p = sub.add_parser("reminders", help="reminder fan-out through a real worker (generates its data)")
    p.add_argument("--sizes", default="10000,100000")
    p.add_argument("--budget", type=float, default=240, help="seconds to wait for delivery per size")
    p = sub.add_parser("matching", help="cohort assignment against the exact optimum")
    p.add_argument("--sizes", default="1000x200,5000x1000,20000x4000")
    sub.add_parser("report", help="write docs/PERFORMANCE.md from bench/out/*.json and print it")
    p = sub.add_parser("all", help="everything, then the report (what make bench runs)")
    p.add_argument("--quick", action="store_true", help="small sizes and short runs, to try the machinery")
    args = parser.parse_args(argv)
    command = args.command or "all"

    setup_django()
    if command == "datagen":
        from bench import datagen

        result = datagen.generate(args.matches, args.seed)
        save(f"datagen-{args.matches}", result)
        print(json.dumps(result, indent=2))
    elif command == "pages":
        from bench import pages

        save("pages", pages.run(duration=args.duration, rounds=args.rounds, workers=args.workers, connections=args.connections))
    elif command == "reminders":
        from bench import reminders

        save("reminders", reminders.run([int(s) for s in args.sizes.split(",")], args.budget))
    elif command == "matching":
        from bench import matching

        sizes = [tuple(int(x) for x in s.split("x")) for s in args.sizes.split(",")]
        save("matching", matching.run(sizes))
    elif command in ("report", "all"):
        from bench import report

        if command == "all":
            report.run_all(quick=getattr(args, "quick", False))
        print(report.write())
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Print shell exports that point the test suite at Postgres and Redis.

Order: DATABASE_URL / CELERY_BROKER_URL when already set; otherwise a local
Postgres / Redis answering on their usual ports; otherwise nothing (SQLite and
the tests that need the service are skipped, with one plain line saying so).
"""

import os
import socket
import sys


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def postgres_url() -> str | None:
    candidates = ["postgres://postgres@127.0.0.1:5432/mentorship", "postgres://root@127.0.0.1:5432/mentorship"]
    try:
        import psycopg2
    except ImportError:
        return None
    for url in candidates:
        user = url.split("//")[1].split("@")[0]
        try:
            psycopg2.connect(host="127.0.0.1", port=5432, user=user, dbname="postgres", connect_timeout=2).close()
            return url
        except Exception:  # noqa: BLE001
            continue
    return None


def main() -> None:
    notes = []
    if not os.environ.get("DATABASE_URL"):
        url = postgres_url() if answers("127.0.0.1", 5432) else None
        if url:
            print(f"export DATABASE_URL={url}")
        else:
            notes.append("Postgres not found: tests run on SQLite and the Postgres tests are skipped.")
    if not os.environ.get("CELERY_BROKER_URL"):
        if answers("127.0.0.1", 6379):
            print("export CELERY_BROKER_URL=redis://127.0.0.1:6379/0")
        else:
            notes.append("Redis not found: the real-worker tests are skipped.")
    for note in notes:
        print(note, file=sys.stderr)


if __name__ == "__main__":
    main()

"""Print a shell export that points the test suite at a local Redis when one answers.

The database needs nothing here: `make test` runs under `mentorship.devdb run`, which
uses DATABASE_URL when set and the embedded PostgreSQL otherwise. The broker:
CELERY_BROKER_URL when set; otherwise a Redis answering on 127.0.0.1:6379; otherwise
the embedded filesystem broker, and the tests that need a real Redis (and a real
Celery worker on it) are skipped, with one plain line saying so.
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


def main() -> None:
    if os.environ.get("CELERY_BROKER_URL"):
        return
    if answers("127.0.0.1", 6379):
        print("export CELERY_BROKER_URL=redis://127.0.0.1:6379/0")
    else:
        print("Redis not found: the real-worker tests are skipped.", file=sys.stderr)


if __name__ == "__main__":
    main()

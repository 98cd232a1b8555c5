"""Real concurrency on Postgres for tests: each call in its own thread, with its own
database connection and transaction, all released at the same moment."""

import threading

from django.db import connection, connections


def run_together(*calls, expected: tuple[type[Exception], ...] = ()):
    """Run each call in its own thread (own connection), all released at once by a barrier.

    Returns what each returned, or the exception of an `expected` type it raised;
    any other exception fails the test."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(i, call):
        try:
            # Connect first, so that all start their transactions at the same moment.
            connection.ensure_connection()
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - kept when expected, else reported below
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    unexpected = [r for r in results if isinstance(r, Exception) and not isinstance(r, expected)]
    assert not unexpected, unexpected
    return results

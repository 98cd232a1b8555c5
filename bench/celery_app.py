"""The project's Celery app with counters, for the reminder benchmark's worker.

`celery -A bench.celery_app worker` runs exactly the project's tasks; the
signal handlers only count, in Redis (hash `bench:counts`), the messages
published per task name (by the worker, and the scan by the benchmark itself),
the tasks started and finished, and the database connections it opens.
"""

import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import redis  # noqa: E402
from celery.signals import before_task_publish, task_postrun, task_prerun  # noqa: E402

from mentorship.celery import app  # noqa: E402

COUNTS_KEY = "bench:counts"
_redis = None


def _r():
    global _redis
    if _redis is None:
        _redis = redis.Redis.from_url(app.conf.broker_url)
    return _redis


@before_task_publish.connect
def _count_publish(sender=None, **kwargs):
    _r().hincrby(COUNTS_KEY, f"published:{sender}", 1)


_started: dict[str, float] = {}


@task_prerun.connect
def _count_run(sender=None, task_id=None, **kwargs):
    _started[task_id] = time.time()
    _r().hincrby(COUNTS_KEY, f"ran:{sender.name}", 1)


@task_postrun.connect
def _count_finished(sender=None, task_id=None, **kwargs):
    # Where the time goes: busy milliseconds per task name, and when its first run began and last ended.
    start, end = _started.pop(task_id, time.time()), time.time()
    pipe = _r().pipeline()
    pipe.hincrby(COUNTS_KEY, f"finished:{sender.name}", 1)
    pipe.hincrby(COUNTS_KEY, f"busy_ms:{sender.name}", round((end - start) * 1000))
    pipe.execute()
    _r().eval(_MIN_MAX, 1, COUNTS_KEY, f"first_start:{sender.name}", f"last_end:{sender.name}",
              round(start * 1000), round(end * 1000))


# Keeps the earliest start and the latest end in the hash, atomically across worker processes.
_MIN_MAX = """
local s = redis.call('HGET', KEYS[1], ARGV[1])
if not s or tonumber(s) > tonumber(ARGV[3]) then redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) end
local e = redis.call('HGET', KEYS[1], ARGV[2])
if not e or tonumber(e) < tonumber(ARGV[4]) then redis.call('HSET', KEYS[1], ARGV[2], ARGV[4]) end
return 1
"""


def _count_db_connect(sender, connection, **kwargs):
    _r().hincrby(COUNTS_KEY, "db_connections_opened", 1)


from django.db.backends.signals import connection_created  # noqa: E402

connection_created.connect(_count_db_connect)

__all__ = ["app"]

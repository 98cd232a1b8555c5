"""The project's Celery app with counters, for the reminder benchmark's worker.

`celery -A bench.celery_app worker` runs exactly the project's tasks; the
signal handlers only count, in Redis (hash `bench:counts`), the messages the
worker publishes per task name and the database connections it opens.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import redis  # noqa: E402
from celery.signals import before_task_publish, task_prerun  # noqa: E402

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


@task_prerun.connect
def _count_run(sender=None, **kwargs):
    _r().hincrby(COUNTS_KEY, f"ran:{sender.name}", 1)


def _count_db_connect(sender, connection, **kwargs):
    _r().hincrby(COUNTS_KEY, "db_connections_opened", 1)


from django.db.backends.signals import connection_created  # noqa: E402

connection_created.connect(_count_db_connect)

__all__ = ["app"]

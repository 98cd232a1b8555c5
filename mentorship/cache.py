"""Django's Redis cache, where an unreachable Redis is a cache miss, not an error.

What this project keeps in the cache can all be lost: sessions' cached copies
(the database is their record: Django's cached_db engine), allauth's sign-in rate
limits (django-axes, in the database, still locks out repeated failures) and
allauth's used-TOTP-code marks. So while Redis is down, reads miss, writes are
dropped (logged once per call) and `add` reports success, so that sign-in
keeps working instead of answering 500 — at the price of those two allauth
protections until Redis is back.
"""

import logging

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _unreachable(what: str) -> None:
    logger.warning("cache unreachable: %s skipped", what)


class RedisCache(DjangoRedisCache):
    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError:
            _unreachable("get")
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except RedisError:
            _unreachable("get_many")
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except RedisError:
            _unreachable("has_key")
            return False

    def set(self, key, value, timeout=None, version=None):  # noqa: A003 - the cache API
        try:
            return super().set(key, value, timeout, version)
        except RedisError:
            _unreachable("set")

    def set_many(self, data, timeout=None, version=None):
        try:
            return super().set_many(data, timeout, version)
        except RedisError:
            _unreachable("set_many")
            return list(data)

    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout, version)
        except RedisError:
            _unreachable("add")
            return True

    def touch(self, key, timeout=None, version=None):
        try:
            return super().touch(key, timeout, version)
        except RedisError:
            _unreachable("touch")
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except RedisError:
            _unreachable("delete")
            return False

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except RedisError:
            _unreachable("delete_many")

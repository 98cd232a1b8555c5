"""Sessions kept in the database with a short-lived copy in the shared cache.

Every signed-in request reads its session; with a shared cache (Redis, set by
CACHE_URL) that read costs no database query. The database stays the record:
every save writes it first, so losing the cache loses nothing. This is
Django's `cached_db` engine with two changes:

- The cached copy lives at most SESSION_CACHE_SECONDS (5 minutes), not the
  whole session: if a sign-out ever could not clear it (the cache unreachable
  at that moment), it cannot outlive that.
- A cache that is down is not an error: reads and writes fall back to the
  database alone (logged), so signed-in pages keep working without Redis.

Only used when CACHE_URL names a cache every web process shares (see
settings): with per-process memory caches, a sign-out in one process would
leave the session cached in the others.
"""

import logging

from django.conf import settings
from django.contrib.sessions.backends import cached_db

logger = logging.getLogger(__name__)


class SessionStore(cached_db.SessionStore):
    def _cache_seconds(self, **expiry) -> int:
        """The session's remaining life, capped (`expiry=` as for get_expiry_age; absent: the session's own)."""
        return max(0, min(self.get_expiry_age(**expiry), getattr(settings, "SESSION_CACHE_SECONDS", 300)))

    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:  # noqa: BLE001 - an unreachable cache means: read the database
            logger.warning("session cache unreachable; reading the session from the database")
            data = None
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        try:
            self._cache.set(self.cache_key, data, self._cache_seconds(expiry=stored.expire_date))
        except Exception:  # noqa: BLE001
            logger.warning("session cache unreachable; session not cached")
        return data

    def save(self, must_create=False):
        super(cached_db.SessionStore, self).save(must_create)  # the database first: it is the record
        try:
            self._cache.set(self.cache_key, self._session, self._cache_seconds())
        except Exception:  # noqa: BLE001
            logger.warning("session cache unreachable; session saved to the database only")

    def delete(self, session_key=None):
        super(cached_db.SessionStore, self).delete(session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except Exception:  # noqa: BLE001 - the cached copy expires within SESSION_CACHE_SECONDS
            logger.warning("session cache unreachable; the cached copy of a deleted session expires by itself")

    def exists(self, session_key):
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception:  # noqa: BLE001
            logger.warning("session cache unreachable; checking the database")
        return super(cached_db.SessionStore, self).exists(session_key)

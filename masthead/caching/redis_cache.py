"""Django's RedisCache, made so that a Redis that is down does not take the site down with it.

Every cache operation that cannot reach Redis (refused, timed out, reset) answers as a cache
that holds nothing: `get()` gives the default, `add()` False, `incr()` raises ValueError (a
missing key), writes are dropped. So the page cache and the cached page parts are built for
every request (X-Cache: MISS), rate limits let requests through, and sessions (`cached_db`)
are read from the database. A warning is logged when Redis goes away, then at most once a
`WARN_EVERY` seconds while it stays away, never once per request.

After a failure Redis is left alone for `RETRY_AFTER` seconds (each operation meanwhile
answers at once), then tried again; the first operation that succeeds ends the outage. If a
write or a delete was lost meanwhile (a purge, a session's logout), whatever this process
kept in Redis before may now be wrong, so it deletes every key under the cache's
`KEY_PREFIX` once: the page cache then counts everything as purged and builds it again.

OPTIONS takes `RETRY_AFTER` (default 2) and `WARN_EVERY` (default 60) besides redis-py's
connection options; `socket_connect_timeout` and `socket_timeout` default to half a second
and a second, so that a Redis that does not answer at all costs a request little.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class Health:
    """What one process knows of one Redis: shared by every thread's cache object."""

    def __init__(self, location, retry_after, warn_every):
        self.location, self.retry_after, self.warn_every = location, retry_after, warn_every
        self.lock = threading.Lock()
        self.down_since = None  # time.monotonic() of the outage's first failure
        self.retry_at = 0.0
        self.warned_at = None
        self.lost_writes = False

    def may_try(self, write):
        with self.lock:
            if self.down_since is None or time.monotonic() >= self.retry_at:
                return True
            self.lost_writes = self.lost_writes or write
            return False

    def failed(self, error, write):
        now = time.monotonic()
        with self.lock:
            self.lost_writes = self.lost_writes or write
            self.retry_at = now + self.retry_after
            if self.down_since is None:
                self.down_since = now
            if self.warned_at is not None and now - self.warned_at < self.warn_every:
                return
            self.warned_at = now
            since = now - self.down_since
        logger.warning(
            "Redis at %s is unreachable (%s) for %.0f s: the cache is bypassed until it answers",
            self.location,
            error,
            since,
        )

    def answered(self):
        """The first success after an outage: returns whether writes were lost meanwhile."""
        with self.lock:
            if self.down_since is None:
                return None
            lost, self.lost_writes = self.lost_writes, False
            since, self.down_since, self.warned_at = self.down_since, None, None
        logger.warning(
            "Redis at %s answers again after %.0f s", self.location, time.monotonic() - since
        )
        return lost


_health = {}
_health_lock = threading.Lock()


def health_of(location, retry_after, warn_every):
    with _health_lock:
        if location not in _health:
            _health[location] = Health(location, retry_after, warn_every)
        return _health[location]


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        retry_after = float(options.pop("RETRY_AFTER", 2))
        warn_every = float(options.pop("WARN_EVERY", 60))
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 1)
        super().__init__(server, {**params, "OPTIONS": options})
        location = ",".join(self._servers)
        self.health = health_of(location, retry_after, warn_every)

    def _guard(self, default, operation, *args, write=False):
        if not self.health.may_try(write):
            return default
        try:
            result = operation(*args)
        except UNREACHABLE as error:
            self.health.failed(error, write)
            return default
        if self.health.down_since is not None and self.health.answered():
            self.forget_everything()
        return result

    def forget_everything(self):
        """Delete every key under this cache's prefix (never the whole Redis database)."""
        try:
            client = self._cache.get_client(write=True)
            batch = []
            for key in client.scan_iter(match=f"{self.key_prefix}:*", count=1000):
                batch.append(key)
                if len(batch) >= 1000:
                    client.unlink(*batch)
                    batch = []
            if batch:
                client.unlink(*batch)
        except UNREACHABLE as error:
            self.health.failed(error, write=True)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # As an empty cache would: the key was not there. A lock taken with add() (allauth's
        # rate limits) is then granted, and the limits stay open, instead of waiting for it.
        return self._guard(True, super().add, key, value, timeout, version, write=True)

    def get(self, key, default=None, version=None):
        return self._guard(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._guard(None, super().set, key, value, timeout, version, write=True)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(False, super().touch, key, timeout, version, write=True)

    def delete(self, key, version=None):
        return self._guard(False, super().delete, key, version, write=True)

    def get_many(self, keys, version=None):
        return self._guard({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._guard(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        missing = object()
        result = self._guard(missing, super().incr, key, delta, version, write=True)
        if result is missing:
            raise ValueError(f"Key '{key}' not found (Redis is unreachable)")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(list(data), super().set_many, data, timeout, version, write=True)

    def delete_many(self, keys, version=None):
        self._guard(None, super().delete_many, keys, version, write=True)

    def clear(self):
        return self._guard(False, super().clear, write=True)

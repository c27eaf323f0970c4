"""What a response shows (its keys), values built once and kept until one of their keys is purged,
and the purge.

Keys name content: `page:<id>` a page shown anywhere (its title, link, picture), `url:<id>` the
page's own document, `children:<id>` lists of what is published below a page, `tagged:<id>` and
`byline:<id>` lists of a tag's and an author's articles, `tags:<id>+<id>` and `section:<path>`
related lists (articles/models.py), `tag:<id>`, `author:<id>`, `org:<id>`, `articles` (any
article), `tags`, `authors`, `orgs` (all of them), `menu`, `settings` (sites and their
settings), `restrictions` (pages' view restrictions).

A purge stores the time of the purge against each key. A cached value is good while every one of
its keys was last purged before the value started being built: so a page that was being rendered
while its content changed is never kept, and a purge time that the cache has evicted counts as
purged.

Each purge also writes a new generation, a value never written before. What a process found fresh
it remembers in its own memory with the generation it read before looking: while the generation
is the same, no purge has been made since, and the value is served without asking the shared
cache again (one read of the generation per request instead of two or more per value).
"""

import contextlib
import contextvars
import logging
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import caches
from django.db import transaction

logger = logging.getLogger(__name__)

PURGED = "purged:"
GENERATION = "purged-generation"
FOUND_FRESH_MAX = 500

# name -> (entry, generation): what this process found fresh, and the generation read before.
_found_fresh = OrderedDict()
_found_fresh_lock = threading.Lock()
_request_generation = contextvars.ContextVar("masthead_purge_generation", default=None)


@dataclass
class Shown:
    """What is being built shows these keys, and stops being true at `expires` (epoch seconds)."""

    keys: set = field(default_factory=set)
    expires: float | None = None

    def add(self, other):
        self.keys |= other.keys
        if other.expires is not None:
            self.expire_at(other.expires)

    def expire_at(self, moment):
        if self.expires is None or moment < self.expires:
            self.expires = moment


_shown = contextvars.ContextVar("masthead_shown", default=None)


def backend():
    return caches[settings.PAGE_CACHE_ALIAS]


def purge_times():
    """Shared by every process of the site: a purge made in one reaches what all the others keep
    (settings.py: Redis, or files on this machine beside local memory)."""
    return caches[settings.PAGE_CACHE_PURGES_ALIAS]


def record(*keys):
    """The response being built shows the content these keys name."""
    shown = _shown.get()
    if shown is not None:
        shown.keys.update(keys)


def expire_at(moment):
    """The response being built is no longer true at this moment (an aware datetime)."""
    shown = _shown.get()
    if shown is not None:
        shown.expire_at(moment.timestamp())


def collecting_active():
    return _shown.get() is not None


@contextlib.contextmanager
def collecting(apart=False):
    """Collect what is recorded inside; what is collected also counts for any outer collection,
    unless `apart` (the caller then adds it with `record_shown`, or not)."""
    outer = _shown.get()
    shown = Shown()
    token = _shown.set(shown)
    try:
        yield shown
    finally:
        _shown.reset(token)
        if outer is not None and not apart:
            outer.add(shown)


def record_shown(shown):
    """The response being built shows what `shown` collected, and expires with it."""
    outer = _shown.get()
    if outer is not None:
        outer.add(shown)


def new_generation():
    return f"{time.time():.6f}-{secrets.token_hex(8)}"


def read_generation():
    """The current generation; a cache that has none (new, emptied, evicted) starts one, which
    no process has seen before."""
    store = purge_times()
    generation = store.get(GENERATION)
    if generation is None and not store.add(GENERATION, generation := new_generation(), None):
        generation = store.get(GENERATION)
    return generation


@contextlib.contextmanager
def generation_of_request():
    """Read the generation once for everything a request looks up."""
    token = _request_generation.set(read_generation())
    try:
        yield
    finally:
        _request_generation.reset(token)


def forget_found_fresh():
    """For tests that empty a cache without purging."""
    with _found_fresh_lock:
        _found_fresh.clear()


def fresh_entry(name):
    """The entry kept under `name` if it is still true, else None."""
    generation = _request_generation.get()
    if generation is None:
        generation = read_generation()
    if generation is not None:
        with _found_fresh_lock:
            entry, seen_at = _found_fresh.get(name, (None, None))
        now = time.time()
        if (
            seen_at == generation
            and now < entry["until"]
            and (entry["expires"] is None or now < entry["expires"])
        ):
            return entry
    entry = backend().get(name)
    fresh = entry is not None and is_fresh(entry["keys"], entry["started"], entry["expires"])
    with _found_fresh_lock:
        if not fresh:
            _found_fresh.pop(name, None)
        elif generation is not None:
            _found_fresh[name] = (entry, generation)
            _found_fresh.move_to_end(name)
            while len(_found_fresh) > FOUND_FRESH_MAX:
                _found_fresh.popitem(last=False)
    return entry if fresh else None


def is_fresh(keys, started, expires=None):
    """Whether something built from `keys`, started at `started`, is still true."""
    if expires is not None and time.time() >= expires:
        return False
    if not keys:
        return True
    purged = purge_times().get_many([PURGED + key for key in keys])
    return len(purged) == len(keys) and all(moment < started for moment in purged.values())


def remember_keys(keys):
    """The purge time of each key, giving 0.0 to a key that has none, so that a later eviction
    reads as a purge. A key another process purges meanwhile is left out: it reads as purged."""
    store = purge_times()
    known = store.get_many([PURGED + key for key in keys])
    for key in keys:
        if PURGED + key not in known and store.add(PURGED + key, 0.0, timeout=None):
            known[PURGED + key] = 0.0  # add: never over a purge made meanwhile
    return known


def timeout_for(shown, started):
    ceiling = settings.PAGE_CACHE_MAX_AGE
    if shown.expires is not None:
        ceiling = min(ceiling, shown.expires - started)
    return max(int(ceiling), 0)


def cached(name, build):
    """The value `build()` returns, kept under `name` until one of the keys it records is purged."""
    entry = fresh_entry(name)
    if entry is not None:
        record_shown(Shown(set(entry["keys"]), entry["expires"]))
        return entry["value"]
    started = time.time()
    with collecting() as shown:
        value = build()
    keep(name, value, shown, started)
    return value


def keep(name, value, shown, started):
    """Store what was built and return its entry, unless its content changed while it was
    being built (then None)."""
    timeout = timeout_for(shown, started)
    if timeout <= 0:
        return None
    purged = remember_keys(shown.keys)
    if len(purged) < len(shown.keys) or any(moment >= started for moment in purged.values()):
        return None  # what it shows changed while it was being built
    entry = {
        "value": value,
        "keys": sorted(shown.keys),
        "started": started,
        "expires": shown.expires,
        "until": started + timeout,
    }
    backend().set(name, entry, timeout=timeout)
    return entry


def purge(*keys):
    """Everything built from these keys is stale: here at once, and in the front caches."""
    keys = {key for key in keys if key}
    if not keys:
        return
    now = time.time()
    store = purge_times()
    store.set_many({PURGED + key: now for key in keys}, timeout=None)
    store.set(GENERATION, new_generation(), timeout=None)  # after the times
    _request_generation.set(None)  # what this request looks up next is checked again
    purge_front_caches(keys)


def purge_on_commit(*keys):
    """Purge now, for readers on this connection, and again once the change is committed: until
    then readers on other connections still read the old content, and may cache it."""
    keys = set(keys)
    if transaction.get_connection().in_atomic_block:
        purge(*keys)
    transaction.on_commit(lambda: purge(*keys))


def purge_front_caches(keys):
    if not getattr(settings, "WAGTAILFRONTENDCACHE", None):
        return
    from wagtail.contrib.frontend_cache.utils import get_backends

    for front in get_backends().values():
        purge_keys = getattr(front, "purge_keys", None)
        if purge_keys is None:
            continue
        try:
            purge_keys(sorted(keys))
        except Exception:  # a front cache that is down must not fail the editor's change
            logger.warning("Purging %s from the front cache failed", front, exc_info=True)

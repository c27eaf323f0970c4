"""A fixed-window allowance per client, counted in Django's cache (shared through Redis)."""

import time

from django.core.cache import cache


def client_address(request):
    # Behind a proxy every reader shares its address: the proxy must pass the reader's own
    # in REMOTE_ADDR (gunicorn's --forwarded-allow-ips, or a middleware of the deployment).
    return request.META.get("REMOTE_ADDR", "")


def over_limit(request, scope, rate):
    """Count this request against its client's allowance for `scope`; `rate` reads "30/10"
    (30 requests a 10-second window). Returns (limited, seconds to wait)."""
    allowed, seconds = (int(part) for part in rate.split("/"))
    window = int(time.time() // seconds)
    key = f"rate:{scope}:{client_address(request)}:{window}"
    cache.add(key, 0, timeout=seconds * 2)
    try:
        hits = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=seconds * 2)
        hits = 1
    return hits > allowed, seconds

"""The site's one rate limit and the one client address it counts by.

Both are django-allauth's (`allauth.core`), which readers' accounts will use too: the client
address follows the trusted-proxy setting (`ALLAUTH_TRUSTED_PROXY_COUNT` or
`ALLAUTH_TRUSTED_CLIENT_IP_HEADER`, from `TRUSTED_PROXY_COUNT` and `TRUSTED_CLIENT_IP_HEADER`),
and each hit is counted in Django's cache, so that every gunicorn worker shares the count once
the cache is Redis (`REDIS_URL`). allauth's public `consume()` reads its rates from allauth's
own account settings and never counts a GET, so this calls the function underneath it with
Masthead's rates (`requirements.txt` pins the version it was checked against).

Every limit of the site is in `LIMITS` (and the README's table): a name, and the setting that
holds its rates, such as "5/600" (5 in 600 seconds per client address) or "5/300/key,20/300/ip"
(5 per key, such as an account's user name, and 20 per address, each in 300 seconds).
"""

import math
import time

from allauth.core.internal import httpkit
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse

LIMITS = {
    "login_failed": "LOGIN_RATE",
    "login": "LOGIN_ATTEMPT_RATE",
    "signup": "SIGNUP_RATE",
    "verify_email": "VERIFY_EMAIL_RATE",
    "account_change": "ACCOUNT_CHANGE_RATE",
    "password_reset": "PASSWORD_RESET_RATE",
    "page_password": "PAGE_PASSWORD_RATE",
    "contact": "CONTACT_RATE",
    "jobs_submit": "JOBS_SUBMIT_RATE",
    "search_live": "SEARCH_LIVE_RATE",
    "comment_post": "COMMENT_RATE",
    "newsletter_subscribe": "NEWSLETTER_RATE",
    "count_view": "VIEW_COUNT_RATE",
}
APP = "masthead"

# Readers' accounts are allauth's, and so are its limits: each of allauth's actions takes its
# rates from a limit of the table above. Failed logins are counted once, by the throttled
# authentication backend (core.logins), so allauth's own count of them is off.
ALLAUTH_ACTIONS = {
    "login": "login",
    "login_failed": None,
    "signup": "signup",
    "confirm_email": "verify_email",
    "reset_password": "password_reset",
    "reset_password_from_key": "login",
    "change_password": "account_change",
    "manage_email": "account_change",
    "reauthenticate": "account_change",
}


def allauth_rates():
    """allauth's ACCOUNT_RATE_LIMITS, from the table (masthead.core.allauth_rates reads it)."""
    return {
        action: rates(limit)[limit] if limit else None for action, limit in ALLAUTH_ACTIONS.items()
    }


def client_address(request):
    """The reader's address: REMOTE_ADDR, or what the trusted proxies in front say it is."""
    try:
        address = httpkit.get_client_ip(request)
    except ImproperlyConfigured:
        # Fewer X-Forwarded-For entries than trusted proxies: the request did not come through
        # them all, so nothing in that header can be believed.
        address = None
    return address or request.META.get("REMOTE_ADDR", "") or "unknown"


def rates(action):
    """allauth's rates for `action`, from its setting; plain seconds ("5/600") are accepted."""
    parts = []
    for part in getattr(settings, LIMITS[action]).split(","):
        amount, duration, *per = part.strip().split("/")
        if duration.isdigit():
            duration += "s"
        parts.append("/".join([amount, duration, *(per or ["ip"])]))
    return {action: ",".join(parts)}


class _Request:
    """What allauth's counter reads of a request, with the client address already decided."""

    method = "POST"

    def __init__(self, request):
        self.META = {"REMOTE_ADDR": client_address(request)} if request is not None else {}
        self.headers = {}


def _counted(request, action, key, dry_run):
    return allauth_ratelimit.consume(
        _Request(request),
        app=APP,
        action=action,
        config=rates(action),
        key=key,
        dry_run=dry_run,
        limit_get=True,
    )


def wait_for(request, action, key=None):
    """Seconds until `action` is allowed again for this client (and key); 0 when it is now."""
    config = rates(action)
    now = time.time()
    wait = 0
    for rate in allauth_ratelimit.get_rates(app=APP, action=action, config=config):
        if rate.per == "key" and key is None:
            continue
        cache_key = allauth_ratelimit.get_cache_key(
            _Request(request), app=APP, action=action, rate=rate, key=key
        )
        history = [stamp for stamp in cache.get(cache_key, []) if stamp > now - rate.duration]
        if len(history) >= rate.amount:
            wait = max(wait, math.ceil(history[rate.amount - 1] + rate.duration - now))
    return max(wait, 1) if wait else 0


def limited(request, action, key=None):
    """Counts this request against the client's (and key's) allowance for `action`. Returns 0
    when it is allowed, else the seconds to wait (and the request is not counted)."""
    if _counted(request, action, key, dry_run=False) is None:
        return wait_for(request, action, key) or 1
    return 0


def throttled(request, action, key=None):
    """Like `limited`, without counting this request: is the allowance used up already?"""
    if _counted(request, action, key, dry_run=True) is None:
        return wait_for(request, action, key) or 1
    return 0


def clear(request, action, key):
    """Forgets what was counted for `key` (a user name after a good login), not the address."""
    for rate in allauth_ratelimit.get_rates(app=APP, action=action, config=rates(action)):
        if rate.per == "key":
            cache.delete(
                allauth_ratelimit.get_cache_key(
                    _Request(request), app=APP, action=action, rate=rate, key=key
                )
            )


def minutes(seconds):
    """A wait as readers are told it: whole minutes, at least one."""
    return max(1, math.ceil(seconds / 60))


def too_many_requests(seconds, message):
    """The 429 of an endpoint that answers in plain text (live search)."""
    response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(seconds)
    return response

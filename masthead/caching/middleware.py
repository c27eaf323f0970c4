"""The full-page cache: anonymous GET and HEAD of public pages, one document for every reader."""

import contextvars
import hashlib
import re
import time
from datetime import datetime, timedelta
from datetime import time as clock

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from masthead.caching import fragments
from masthead.caching.store import collecting, fresh_entry, generation_of_request, keep

# Whether the response being built goes into the page cache (it then holds includes for its
# fragments instead of their content).
building_for_cache = contextvars.ContextVar("masthead_building_for_cache", default=False)

NOT_REPLAYED = {
    "cache-control",
    "content-length",
    "date",
    "etag",
    "expires",
    "last-modified",
    "set-cookie",
    "surrogate-control",
    "vary",
    "x-cache",
    "xkey",
}
UNCACHEABLE_DIRECTIVES = ("private", "no-store", "no-cache")


def signed_in(request):
    """A request that may come from a signed-in editor (the marker cookie masthead.accounts
    sets at login for staff), or one to a private address: never served from the cache, nor
    kept. A signed-in reader is not: every reader gets the same cached document, and what is
    theirs comes from /accounts/me/ once the page has loaded."""
    return settings.EDITOR_COOKIE_NAME in request.COOKIES or private_address(request)


def private_address(request):
    return request.path_info.startswith(settings.PAGE_CACHE_PRIVATE_PREFIXES)


def has_session(request):
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def as_anonymous(request):
    """The request without its session: a page built for the cache on a signed-in reader's
    request sees no one, so nothing of theirs can be kept in it. Returns what to put back."""
    cookies, header = request.COOKIES, request.META.get("HTTP_COOKIE")
    theirs = (settings.SESSION_COOKIE_NAME, settings.SIGNED_IN_COOKIE_NAME)
    request.COOKIES = {name: value for name, value in cookies.items() if name not in theirs}
    request.META["HTTP_COOKIE"] = "; ".join(
        f"{name}={value}" for name, value in request.COOKIES.items()
    )
    return cookies, header


def restore(request, saved):
    # Django's AuthenticationMiddleware keeps the user it found (nobody, without the session)
    # on the request: forget it, or the reader's own build would not see them either.
    for found in ("_cached_user", "_acached_user"):
        request.__dict__.pop(found, None)
    request.COOKIES, header = saved
    if header is None:
        request.META.pop("HTTP_COOKIE", None)
    else:
        request.META["HTTP_COOKIE"] = header


def wants_includes(request):
    return "ESI/1.0" in request.headers.get("Surrogate-Capability", "")


def browser_max_age(response):
    """The seconds a view lets browsers keep its answer (a poll's few); pages, none: browsers
    ask again, and the cache answers at once."""
    match = re.search(r"(?:^|[\s,])max-age=(\d+)", response.get("Cache-Control", ""))
    return int(match[1]) if match else 0


def next_midnight():
    """The header's date changes then, and so do "closes today" and a listing's expiry."""
    now = timezone.localtime()
    return timezone.make_aware(datetime.combine(now.date() + timedelta(days=1), clock.min))


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with generation_of_request():
            return self.served(request)

    def served(self, request):
        if not settings.PAGE_CACHE or request.method not in ("GET", "HEAD") or signed_in(request):
            return self.uncached(request, self.get_response(request))
        try:
            name = self.entry_name(request)
        except DisallowedHost:
            return self.get_response(request)
        entry = fresh_entry(name)
        if entry is not None:
            return self.answer(request, entry, "HIT")

        started = time.time()
        reader = has_session(request)
        saved = as_anonymous(request) if reader else None
        flag = building_for_cache.set(True)
        try:
            with collecting() as shown:
                response = self.get_response(request)
        finally:
            building_for_cache.reset(flag)
            if saved is not None:
                restore(request, saved)
        if self.cacheable(response, shown):
            shown.expire_at(next_midnight().timestamp())
            page = {
                "status": response.status_code,
                "max_age": browser_max_age(response),
                "body": response.content.decode(response.charset),
                "headers": {
                    header: value
                    for header, value in response.items()
                    if header.lower() not in NOT_REPLAYED
                },
            }
            entry = keep(name, page, shown, started)
            if entry is not None:
                return self.answer(request, entry, "MISS")
        if reader:
            # Not a page for everyone (a form, a private page the reader has unlocked): the
            # reader's own, built again with their session.
            return self.uncached(request, self.get_response(request), fill=True)
        return self.uncached(request, response, fill=True)

    def entry_name(self, request):
        address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        return "page:" + hashlib.blake2b(address.encode(), digest_size=20).hexdigest()

    def cacheable(self, response, shown):
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        if not shown.keys:  # a response that does not say what it shows could never be purged
            return False
        control = response.get("Cache-Control", "")
        return not any(directive in control for directive in UNCACHEABLE_DIRECTIVES)

    def answer(self, request, entry, state):
        page = entry["value"]
        body = page["body"]
        includes = fragments.INCLUDE_PATTERN.search(body) is not None
        if includes and not wants_includes(request):
            body = fragments.assemble(body)
        content = body.encode()
        etag = '"' + hashlib.blake2b(content, digest_size=16).hexdigest() + '"'
        started = entry["started"]
        conditional = get_conditional_response(request, etag=etag, last_modified=int(started))
        response = conditional or HttpResponse(
            b"" if request.method == "HEAD" else content, status=page["status"]
        )
        for header, value in page["headers"].items():
            response[header] = value
        if conditional is None:
            response["Content-Length"] = str(len(content))
        response["ETag"] = etag
        response["Last-Modified"] = http_date(started)
        remaining = max(int(entry["until"] - time.time()), 0)
        patch_cache_control(
            response,
            public=True,
            max_age=min(page.get("max_age", 0), remaining),
            s_maxage=remaining,
            stale_while_revalidate=settings.PAGE_CACHE_STALE_WHILE_REVALIDATE,
            stale_if_error=settings.PAGE_CACHE_STALE_IF_ERROR,
        )
        response["X-Cache"] = state
        if wants_includes(request):
            response["xkey"] = " ".join(entry["keys"])
            if includes:
                response["Surrogate-Control"] = 'content="ESI/1.0"'
        return response

    def uncached(self, request, response, fill=False):
        if fill and not response.streaming and b"<esi:include" in response.content:
            response.content = fragments.assemble(response.content.decode(response.charset))
        if signed_in(request) or has_session(request):
            patch_cache_control(response, private=True, no_cache=True)
        elif "Cache-Control" not in response:
            patch_cache_control(response, no_cache=True)
        response["X-Cache"] = "BYPASS" if signed_in(request) else "MISS"
        return response

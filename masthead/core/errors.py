"""The site's own answers to requests it cannot take: 400 (bad request, unknown host, too many
fields), 403 (a form without its CSRF cookie), 413 (too large) and 429. Their templates stand
alone, with no database and no site settings, so that they still answer when the database does
not."""

from functools import wraps

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.template import loader

from masthead.core import ratelimit


def error_page(template, status, **headers):
    response = HttpResponse(loader.render_to_string(template), status=status)
    for header, value in headers.items():
        response[header] = value
    response["Cache-Control"] = "no-store"
    return response


def bad_request(request, exception=None):
    """Django's handler400. A form's fields past DATA_UPLOAD_MAX_MEMORY_SIZE are too large
    rather than wrong: 413."""
    if isinstance(exception, RequestDataTooBig):
        return too_large()
    return error_page("400.html", 400)


def csrf_failure(request, reason=""):
    """Django's CSRF_FAILURE_VIEW, from its template alone (Django's own runs the context
    processors, which ask the database)."""
    return error_page("403_csrf.html", 403)


def too_large():
    return error_page("413.html", 413)


def too_many_attempts(seconds):
    return error_page("429.html", 429, **{"Retry-After": str(seconds)})


# allauth says no more than that a limit was reached; a minute is the shortest of its windows.
RATE_LIMITED_RETRY_AFTER = 60


def rate_limited(request):
    """The 429 of allauth's rate limits (the `handler429` of the URLconf)."""
    return too_many_attempts(RATE_LIMITED_RETRY_AFTER)


def page_password(view):
    """Wagtail's form for the password of a private page, past `PAGE_PASSWORD_RATE` tries per
    client address: 429."""

    @wraps(view)
    def throttled(request, *args, **kwargs):
        if request.method == "POST":
            wait = ratelimit.limited(request, "page_password")
            if wait:
                return too_many_attempts(wait)
        return view(request, *args, **kwargs)

    return throttled


class RequestSizeLimitMiddleware:
    """Refuses a request whose Content-Length is past REQUEST_MAX_BYTES before anything reads
    its body (413). Requests without one have an empty body to Django."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_page("400.html", 400)
        if length > settings.REQUEST_MAX_BYTES:
            return too_large()
        return self.get_response(request)

"""The current site and its settings, from the cache that a change of any site or setting purges,
instead of three queries on every request; and the 503 page when the database cannot be reached."""

import logging
import sys

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from wagtail.models import Site

from masthead.caching.middleware import signed_in
from masthead.caching.store import cached, record
from masthead.core.models import SiteSettings
from masthead.core.storage import storage_full
from masthead.navigation.models import NavigationSettings

SITE_SETTINGS = (SiteSettings, NavigationSettings)
logger = logging.getLogger(__name__)


def site_for(request):
    """Wagtail's site for the request's host, with its root page as its own type."""

    def build():
        record("settings")
        site = Site.find_for_request(request)
        if site is not None:
            record(f"page:{site.root_page_id}")
            site.root_page = site.root_page.specific
        return site

    return cached(f"site:{request.get_host()}:{request.get_port()}", build)


def settings_for(site):
    """Each setting of `site`, with the publisher's logo."""

    def build():
        record("settings")
        found = {model: model.for_site(site) for model in SITE_SETTINGS}
        found[SiteSettings].publisher_logo  # noqa: B018 (fetched now, kept with the settings)
        return found

    return cached(f"site-settings:{site.pk}", build)


class CurrentSiteMiddleware:
    """Gives Wagtail the request's site and settings, so that `Site.find_for_request()` and
    `for_request()` of each setting find them instead of asking the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            site = site_for(request)
        except DisallowedHost:
            return self.get_response(request)
        request._wagtail_site = site
        if site is not None:
            for model, value in settings_for(site).items():
                setattr(request, model.get_cache_attr_name(), value)
        return self.get_response(request)


# What a database that is down, restarting or unreachable raises: a lost or refused connection
# (OperationalError), or one found closed (InterfaceError).
DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER = 30


def _note_database_down(sender, request=None, **kwargs):
    """Django turns an exception into the 500 page wherever it is raised (in a view or in a
    middleware); this notes on the request that the exception was the database's."""
    if request is not None and isinstance(sys.exc_info()[1], DATABASE_DOWN):
        request.database_down = True


got_request_exception.connect(_note_database_down, dispatch_uid="masthead-database-down")


def database_down_response(request):
    """The 503 page, rendered without the database: no context processors, no site settings."""
    body = render_to_string("503.html", {"editor": signed_in(request)})
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseDownMiddleware:
    """A request that failed because the database could not be reached gets the 503 page (with
    Retry-After) instead of the 500 page: readers are told to come back, editors that their
    saved work is kept, and a front cache serves its stale copy (stale-if-error). The
    connection that failed is closed at the end of the request (CONN_HEALTH_CHECKS), so the
    worker reconnects on its own once the database is back. Outermost but for the security
    headers, so that it also sees what failed in the middlewares after it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # In development (DEBUG), Django's page with the traceback instead.
        if response.status_code == 500 and getattr(request, "database_down", False):
            return response if settings.DEBUG else database_down_response(request)
        return response


def storage_full_response(request):
    response = HttpResponse(render_to_string("507.html"), status=507)
    response["Cache-Control"] = "no-store"
    return response


class StorageFullMiddleware:
    """An upload that fails because the disk is full (masthead.core.storage) gets a page that
    says so (507 Insufficient Storage) instead of the 500 page. The storage leaves no partial
    file, and a view that creates rows with its upload does it in one transaction."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if storage_full(exception):
            logger.error("An upload to %s failed: %s", request.path, exception)
            return storage_full_response(request)
        return None

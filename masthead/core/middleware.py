"""The current site and its settings, from the cache that a change of any site or setting purges,
instead of three queries on every request."""

from django.core.exceptions import DisallowedHost
from wagtail.models import Site

from masthead.caching.store import cached, record
from masthead.core.models import SiteSettings
from masthead.navigation.models import NavigationSettings

SITE_SETTINGS = (SiteSettings, NavigationSettings)


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

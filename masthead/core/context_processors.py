from django.conf import settings
from wagtail.models import Site

from masthead.caching.store import record


def site(request):
    record("settings")  # the site's name, and the site settings every page's chrome shows
    current = Site.find_for_request(request)
    return {
        "site_name": (current.site_name if current else "") or settings.WAGTAIL_SITE_NAME,
        # Only for editors is the user bar worth asking for (asking reads the session); a
        # signed-in reader's page is the cached one, which never carries it.
        "may_be_signed_in": settings.EDITOR_COOKIE_NAME in request.COOKIES,
    }

"""The browser policy on every response: Content-Security-Policy and Permissions-Policy.

One policy for the site and one for Wagtail's admin (its editor uses inline scripts and
styles), both from settings (README, "Security headers"). Neither holds a nonce: a page from
the page cache or Varnish is the same document for every reader, so what the policy allows is
the site's own files, not a secret of one response.
"""

from urllib.parse import urlsplit

from django.conf import settings


def serialize(policy):
    return "; ".join(" ".join([name, *sources]) for name, sources in policy.items())


def with_asset_origins(policy):
    """Media or static files served from another origin (object storage, a CDN) are allowed
    where pictures, fonts, styles and scripts come from."""
    origins = []
    for url in (settings.MEDIA_URL, settings.STATIC_URL):
        parts = urlsplit(url)
        if parts.scheme and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    if not origins:
        return policy
    extended = dict(policy)
    for directive in ("img-src", "media-src", "font-src", "style-src", "script-src"):
        if directive in extended:
            extended[directive] = [*extended[directive], *origins]
    return extended


def policies():
    return (
        serialize(with_asset_origins(settings.CONTENT_SECURITY_POLICY)),
        serialize(with_asset_origins(settings.CONTENT_SECURITY_POLICY_ADMIN)),
    )


class SecurityHeadersMiddleware:
    """Outside the page cache, so that a HIT gets the headers as a MISS does."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.public, self.admin = policies()
        self.admin_prefix = settings.CONTENT_SECURITY_POLICY_ADMIN_PREFIX

    def __call__(self, request):
        response = self.get_response(request)
        admin = request.path_info.startswith(self.admin_prefix)
        response.headers.setdefault("Content-Security-Policy", self.admin if admin else self.public)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response

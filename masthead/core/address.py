"""The site's public address comes from one place, `SITE_URL`.

Wagtail builds every absolute address it makes (`page.full_url`, and so the canonical links,
feeds, sitemaps and e-mails) from its Site record's hostname and port, so the default Site is
kept in step with `SITE_URL`: `migrate` and the demo set it, and a system check fails when the
two disagree (an editor changed the hostname under Settings › Sites, or a database was copied
from another address without `migrate`).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.db import DatabaseError


def site_address(url=None):
    """(hostname, port) of `url` (SITE_URL by default) as Wagtail's Site record holds them."""
    parts = urlsplit(url or settings.SITE_URL)
    return parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)


def address_problem(url):
    """Why `url` cannot be the site's public address, or "" when it can."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "it is not an http:// or https:// address"
    if parts.path.strip("/") or parts.query or parts.fragment or parts.username:
        return "it has more than a scheme, a host and a port"
    # Wagtail's Site.root_url says https only on port 443, and http on any other port.
    _hostname, port = site_address(url)
    if parts.scheme == "https" and port != 443:
        return "Wagtail's sites serve https:// on port 443 only"
    if parts.scheme == "http" and port == 443:
        return "Wagtail's sites take port 443 for https://"
    return ""


def sync_default_site():
    """Point the default Site at SITE_URL's host and port; returns the site if it changed."""
    from wagtail.models import Site

    if address_problem(settings.SITE_URL):
        return None  # the system check says why
    hostname, port = site_address()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None or (site.hostname, site.port) == (hostname, port):
        return None
    site.hostname, site.port = hostname, port
    site.save(update_fields=["hostname", "port"])
    return site


def sync_after_migrate(verbosity=1, **kwargs):
    """post_migrate: once every app is migrated, the default site follows SITE_URL."""
    site = sync_default_site()
    if site is not None and verbosity >= 1:
        print(f"  The default site now answers as {site.root_url} (SITE_URL).")


@checks.register()
def check_site_url(app_configs=None, databases=None, **kwargs):
    errors = []
    problem = address_problem(settings.SITE_URL)
    if problem:
        errors.append(
            checks.Error(
                f"SITE_URL={settings.SITE_URL!r} cannot be the site's address: {problem}.",
                hint="Set SITE_URL to e.g. https://news.example.org or http://127.0.0.1:8000.",
                id="masthead.E001",
            )
        )
        return errors
    if settings.WAGTAILADMIN_BASE_URL.rstrip("/") != settings.SITE_URL.rstrip("/"):
        errors.append(
            checks.Error(
                f"WAGTAILADMIN_BASE_URL ({settings.WAGTAILADMIN_BASE_URL}) is not SITE_URL "
                f"({settings.SITE_URL}): the admin's e-mails would link elsewhere.",
                id="masthead.E002",
            )
        )
    # migrate asks with `databases`: it is what puts the record right (post_migrate), so the
    # record is compared only when the site is checked or served, not before migrating.
    if databases is None:
        errors.extend(_site_record_errors())
    return errors


def _site_record_errors():
    from wagtail.models import Site

    try:
        site = Site.objects.filter(is_default_site=True).first()
    except DatabaseError:  # no tables yet: migrate creates the site, in step
        return []
    if site is None or (site.hostname, site.port) == site_address():
        return []
    return [
        checks.Error(
            f"The default Wagtail site answers as {site.root_url}, but SITE_URL is "
            f"{settings.SITE_URL}: every absolute link (canonical, feeds, sitemaps, e-mails) "
            "would point at the wrong address.",
            hint="Run `masthead migrate`, which sets the default site to SITE_URL, "
            "or set SITE_URL to the site's real address.",
            id="masthead.E003",
        )
    ]


def public_url(location):
    """`location` (a path, or an address on whatever host a request came to) under SITE_URL."""
    parts = urlsplit(location)
    path = parts.path or "/"
    query = f"?{parts.query}" if parts.query else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return f"{settings.SITE_URL}{path}{query}{fragment}"

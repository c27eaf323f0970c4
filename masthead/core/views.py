from datetime import UTC, datetime, time, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from masthead.caching.store import record
from masthead.core.middleware import DATABASE_DOWN, database_down_response


def security_contacts():
    """SECURITY_CONTACT, or the ADMINS' addresses, or the sender of the site's e-mails."""
    if settings.SECURITY_CONTACT:
        return list(settings.SECURITY_CONTACT)
    addresses = [address for _name, address in settings.ADMINS]
    return [
        f"mailto:{address}" for address in addresses or [parseaddr(settings.DEFAULT_FROM_EMAIL)[1]]
    ]


@require_safe
def security_txt(request):
    """RFC 9116: where to report a vulnerability. Expires a year from today, the same all day
    long, so that the page cache keeps it until midnight like every page."""
    record("settings")
    today = datetime.combine(timezone.now().date(), time.min, tzinfo=UTC)
    expires = (today + timedelta(days=365)).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = [f"Contact: {contact}" for contact in security_contacts()]
    lines += [
        f"Expires: {expires}",
        f"Canonical: {settings.SITE_URL}{reverse('security_txt')}",
        "Preferred-Languages: en",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@never_cache
def health(request):
    """For a front cache's health probe and a load balancer: 200 while the database answers,
    the 503 page when it does not. Never cached, so that it tells the truth of this moment."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DATABASE_DOWN:
        return database_down_response(request)
    return HttpResponse("ok\n", content_type="text/plain")

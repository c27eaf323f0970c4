"""One way for browser tests to be signed in: a browser context carrying the session of a test
client's login (no login form to fill in, no password to know)."""

from django.conf import settings
from django.test import Client


def signed_in_context(browser, live_paper, user, viewport):
    """A new browser context signed in as `user` on `live_paper`'s server."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=viewport)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_paper.url}]
    )
    return context

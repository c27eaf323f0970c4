"""One way for browser tests to be signed in: a browser context carrying the session of a test
client's login (no login form to fill in, no password to know)."""

from django.test import Client


def signed_in_context(browser, live_paper, user, viewport):
    """A new browser context signed in as `user` on `live_paper`'s server."""
    client = Client()
    client.force_login(user)  # conftest gives it the cookies a real login sets, editors' too
    context = browser.new_context(viewport=viewport)
    context.add_cookies(
        [
            {"name": name, "value": morsel.value, "url": live_paper.url}
            for name, morsel in client.cookies.items()
            if morsel.value
        ]
    )
    return context

"""The signed links of the newsletter's e-mails, all under SITE_URL.

The confirmation link expires; the preferences and one-click unsubscribe links do not, so that
the link in an old e-mail still works. Each token names the subscriber and their address: a
subscriber whose address has changed (or who is gone) is not found by an old link."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

CONFIRM_MAX_AGE = 7 * 24 * 3600


def _absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def _token(purpose, *values):
    return signing.dumps(list(values), salt=f"masthead.newsletter.{purpose}", compress=True)


def _values(token, purpose, max_age=None):
    """The values signed into `token`, or None for a tampered, malformed or expired one;
    raises nothing."""
    try:
        values = signing.loads(token, salt=f"masthead.newsletter.{purpose}", max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        return None
    return values if isinstance(values, list) else None


def _subscriber(values):
    from masthead.newsletter.models import Subscriber

    if not values or len(values) < 2 or not isinstance(values[0], int):
        return None
    return Subscriber.objects.filter(pk=values[0], email=values[1]).first()


def confirm_url(subscriber):
    token = _token("confirm", subscriber.pk, subscriber.email)
    return _absolute(reverse("newsletter:confirm", args=[token]))


def subscriber_to_confirm(token):
    """The subscriber of a confirmation link, or None (tampered, expired, gone); the link
    expires CONFIRM_MAX_AGE seconds after it was made."""
    return _subscriber(_values(token, "confirm", max_age=CONFIRM_MAX_AGE))


def preferences_url(subscriber):
    token = _token("preferences", subscriber.pk, subscriber.email)
    return _absolute(reverse("newsletter:preferences", args=[token]))


def subscriber_of_preferences(token):
    return _subscriber(_values(token, "preferences"))


def unsubscribe_url(subscriber, newsletter):
    """One-click unsubscribe from `newsletter` (RFC 8058: the address of `List-Unsubscribe`,
    which a mail client POSTs `List-Unsubscribe=One-Click` to)."""
    token = _token("unsubscribe", subscriber.pk, subscriber.email, newsletter.pk)
    return _absolute(reverse("newsletter:unsubscribe", args=[token]))


def subscription_to_end(token):
    """(subscriber, newsletter id) of an unsubscribe link, or None."""
    values = _values(token, "unsubscribe")
    subscriber = _subscriber(values)
    if subscriber is None or len(values) != 3 or not isinstance(values[2], int):
        return None
    return subscriber, values[2]


def one_click_headers(url):
    """The headers of one-click unsubscribe (RFC 8058) through the unsubscribe link `url`."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def unsubscribe_headers(subscriber, newsletter):
    return one_click_headers(unsubscribe_url(subscriber, newsletter))

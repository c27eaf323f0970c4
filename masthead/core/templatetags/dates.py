"""One way of writing a date for readers: today's with the time of day, older ones with the
date, in the newsroom's language and time zone ("14:05", "2 December 2026"). What prints a time
of day is true until midnight only, so it records that it expires then: the page, or the cached
part of it, is built again the next day."""

import datetime

from django import template
from django.utils import dateformat, timezone

from masthead.caching.middleware import next_midnight
from masthead.caching.store import expire_at

register = template.Library()

DAY = "j F Y"
DAY_WITH_WEEKDAY = "l j F Y"
TIME = "H:i"


@register.filter
def news_date(value):
    """ "14:05" for a moment of today, "2 December 2026" for any other day."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        if local.date() == timezone.localdate():
            expire_at(next_midnight())
            return dateformat.format(local, TIME)
        return dateformat.format(local, DAY)
    return dateformat.format(value, DAY)


@register.filter
def news_day(value):
    """ "Wednesday 2 December 2026": the day itself, as the header and a digest's subject say it."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, DAY_WITH_WEEKDAY)

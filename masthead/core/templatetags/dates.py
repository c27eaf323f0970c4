"""One way of writing a date for readers: today's with the time of day, older ones with the
date, in the newsroom's language and time zone. Pages expire at midnight, so "today" is true."""

import datetime

from django import template
from django.utils import dateformat, timezone

register = template.Library()


@register.filter
def news_date(value):
    """ "14:05" for a moment of today, "2 December 2026" for any other day."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        if local.date() == timezone.localdate():
            return dateformat.format(local, "H:i")
        return dateformat.format(local, "j F Y")
    return dateformat.format(value, "j F Y")

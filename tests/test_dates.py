"""The one date style readers see: the time of day for today, the date for any other day."""

import datetime
import zoneinfo

import time_machine
from django.test import override_settings

from masthead.core.templatetags.dates import news_date

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


@override_settings(TIME_ZONE="Europe/Oslo")
def test_today_is_the_time_of_day_and_other_days_the_date():
    with time_machine.travel(datetime.datetime(2026, 12, 2, 18, 0, tzinfo=OSLO), tick=False):
        assert news_date(datetime.datetime(2026, 12, 2, 14, 5, tzinfo=OSLO)) == "14:05"
        assert news_date(datetime.datetime(2026, 12, 1, 23, 59, tzinfo=OSLO)) == "1 December 2026"
        assert news_date(datetime.date(2027, 1, 16)) == "16 January 2027"


@override_settings(TIME_ZONE="Europe/Oslo")
def test_today_is_counted_in_the_newsrooms_time_zone():
    # 23:30 UTC on the 1st is 00:30 on the 2nd in Oslo: today there.
    with time_machine.travel(datetime.datetime(2026, 12, 2, 9, 0, tzinfo=OSLO), tick=False):
        moment = datetime.datetime(2026, 12, 1, 23, 30, tzinfo=datetime.UTC)
        assert news_date(moment) == "00:30"


def test_nothing_is_written_for_no_date():
    assert news_date(None) == ""

"""The one date style readers see: the time of day for today, the date for any other day
("14:05", "2 December 2026"), on every page, feed and e-mail; pages with a time of day are
built again at midnight; dates are typed day/month/year."""

import datetime
import re
import zoneinfo
from html.parser import HTMLParser

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone
from taggit.models import Tag

from masthead.comments.models import Comment
from masthead.core.templatetags.dates import news_date, news_day
from masthead.newsletter.editions import digest_edition
from masthead.newsletter.models import Digest
from tests.jobs_fixtures import JobsBoard

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
UTC = datetime.UTC

WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
SHORT_MONTHS = "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
# Anything that looks like a written date: a month's name with a number before or after it.
WRITTEN_DATE = re.compile(
    rf"(?:(?:{WEEKDAYS}),? )?(?:\d{{1,2}}(?:st|nd|rd|th)? )?\b(?:{MONTHS}|{SHORT_MONTHS})\b\.?"
    rf"(?: \d{{1,2}}(?:st|nd|rd|th)?\b,?)?(?: \d{{4}})?"
)
THE_STYLE = re.compile(rf"(?:(?:{WEEKDAYS}) )?[1-9]\d? (?:{MONTHS}) \d{{4}}")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


class VisibleText(HTMLParser):
    """The text a reader sees: no tags, attributes, scripts or styles."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html):
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def dates_out_of_style(text):
    """The dates in `text` written in any other style than the paper's."""
    odd = [
        match[0].strip(" ,.")
        for match in WRITTEN_DATE.finditer(text)
        if re.search(r"\d", match[0]) and not THE_STYLE.fullmatch(match[0].strip(" ,."))
    ]
    return odd + ISO_DATE.findall(text)


# ------------------------------------------------------------------ the filter


def test_the_check_knows_the_style_from_the_others():
    assert dates_out_of_style("On 2 December 2026, and Wednesday 2 December 2026 at 14:05") == []
    for other in ("Nov 29", "02 December 2026", "December 2, 2026", "2 Dec 2026", "2026-12-02"):
        assert dates_out_of_style(f"Published {other}.") == [other], other
    assert dates_out_of_style("May I ask? It rained in March.") == []


@override_settings(TIME_ZONE="Europe/Oslo")
def test_today_is_the_time_of_day_and_other_days_the_date():
    with time_machine.travel(datetime.datetime(2026, 12, 2, 18, 0, tzinfo=OSLO), tick=False):
        assert news_date(datetime.datetime(2026, 12, 2, 14, 5, tzinfo=OSLO)) == "14:05"
        assert news_date(datetime.datetime(2026, 12, 1, 23, 59, tzinfo=OSLO)) == "1 December 2026"
        assert news_date(datetime.date(2027, 1, 16)) == "16 January 2027"
        assert news_day(datetime.datetime(2026, 12, 2, 0, 30, tzinfo=OSLO)) == (
            "Wednesday 2 December 2026"
        )


@override_settings(TIME_ZONE="Europe/Oslo")
def test_today_is_counted_in_the_newsrooms_time_zone():
    # 23:30 UTC on the 1st is 00:30 on the 2nd in Oslo: today there.
    with time_machine.travel(datetime.datetime(2026, 12, 2, 9, 0, tzinfo=OSLO), tick=False):
        moment = datetime.datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
        assert news_date(moment) == "00:30"


def test_nothing_is_written_for_no_date():
    assert news_date(None) == "" and news_day(None) == ""


# ------------------------------------------------------------------ every page, feed and e-mail

# Later than the fixtures' pages are made (at the real time), so that what they purged then is
# older than the pages built now.
NOW = datetime.datetime(2027, 3, 10, 18, 0, tzinfo=UTC)
TODAY_AT = datetime.datetime(2027, 3, 10, 14, 5, tzinfo=UTC)
EARLIER = datetime.datetime(2027, 3, 6, 9, 30, tzinfo=UTC)


@pytest.fixture
def dated_paper(paper, settings):
    settings.PAGE_CACHE = False
    with time_machine.travel(NOW, tick=False):
        tag = Tag.objects.create(name="Harbour", slug="harbour")
        today = paper.article(title="Harbour reopens", date=TODAY_AT, tags=[tag])
        older = paper.article(title="Harbour closes for repairs", date=EARLIER, tags=[tag])
        jobs = JobsBoard(paper)
        jobs.vacancy(title="Harbour engineer", closes_in=2)
        jobs.vacancy(title="Harbour pilot", closes_in=40)
        jobs.scholarship(title="Harbour studies grant", closes_in=0)
        user = paper.authors[0]
        from django.contrib.auth import get_user_model

        reader = get_user_model().objects.create_user("reader", "reader@example.org", "pw")
        Comment.objects.create(
            article=older, author=reader, body="Well reported.", status=Comment.Status.APPROVED
        )
        yield paper, today, older, jobs, user


def pages_of(paper, today, older, jobs, author):
    return [
        "/",
        paper.banking.url,
        today.url,
        older.url,
        "/search/?q=harbour",
        "/search/live/?q=harbour",
        "/tags/harbour/",
        author.get_absolute_url(),
        jobs.section.url,
        jobs.vacancies.url,
        jobs.scholarships.url,
        jobs.vacancies.get_children().first().url,
        "/no-such-page/",
    ]


def test_every_page_writes_dates_in_the_one_style(client, dated_paper):
    paper, today, older, jobs, author = dated_paper
    with time_machine.travel(NOW, tick=False):
        for url in pages_of(*dated_paper):
            response = client.get(url)
            assert response.status_code == (404 if url == "/no-such-page/" else 200), url
            text = visible_text(response.content.decode())
            assert dates_out_of_style(text) == [], url
        article = visible_text(client.get(today.url).content.decode())
        assert "Wednesday 10 March 2027" in article  # the header's day
        assert "14:05" in article  # today's story: the time of day
        older_page = visible_text(client.get(older.url).content.decode())
        assert "6 March 2027" in older_page and "Well reported." in older_page
        board = visible_text(client.get(jobs.vacancies.url).content.decode())
        assert "Apply by 12 March 2027" in board and "Apply by 19 April 2027" in board


def test_feeds_write_their_human_text_in_the_one_style(client, dated_paper):
    jobs = dated_paper[3]
    board = jobs.vacancies.url_path.split("/", 2)[2].strip("/")
    with time_machine.travel(NOW, tick=False):
        for url in ("/feeds/rss/", "/feeds/atom/", "/feeds/json/", f"/feeds/boards/{board}/rss/"):
            response = client.get(url)
            assert response.status_code == 200, url
            body = response.content.decode()
            texts = re.findall(r"<(?:description|summary|title)[^>]*>(.*?)</", body, re.S)
            texts += re.findall(r'"(?:summary|title)": "(.*?)"', body)
            assert texts, url
            assert [text for text in texts if dates_out_of_style(text)] == [], url
        listings = client.get(f"/feeds/boards/{board}/rss/").content.decode()
        assert "Apply by 12 March 2027." in listings


def test_a_digests_subject_and_its_e_mail_write_the_date_in_the_one_style(dated_paper):
    from masthead.newsletter.editions import render
    from masthead.newsletter.models import NewsletterList

    paper = dated_paper[0]
    daily = NewsletterList.objects.create(name="Daily Briefing", slug="daily-briefing")
    digest = Digest.objects.create(newsletter=daily, send_time=datetime.time(7, 0))
    digest.sections.add(paper.economics)
    with time_machine.travel(NOW, tick=False):
        edition = digest_edition(digest, timezone.now())
        subject, html, text = render(edition)
    assert subject == "Daily Briefing: Wednesday 10 March 2027"
    assert dates_out_of_style(visible_text(html)) == [] and dates_out_of_style(text) == []


# ------------------------------------------------------------------ fresh at midnight


def test_a_time_of_day_is_rewritten_as_a_date_after_midnight_in_every_cached_part(
    client, dated_paper, settings
):
    settings.PAGE_CACHE = True
    paper, today = dated_paper[0], dated_paper[1]
    with time_machine.travel(datetime.datetime(2027, 3, 10, 23, 59, tzinfo=UTC), tick=False):
        for url in ("/", paper.banking.url, today.url):
            response = client.get(url)
            assert response.status_code == 200
            assert "14:05" in visible_text(response.content.decode()), url
            assert client.get(url)["X-Cache"] == "HIT"
    with time_machine.travel(datetime.datetime(2027, 3, 11, 0, 0, 1, tzinfo=UTC), tick=False):
        for url in ("/", paper.banking.url, today.url):
            response = client.get(url)
            assert response.status_code == 200
            text = visible_text(response.content.decode())
            assert "14:05" not in text and "10 March 2027" in text, url


# ------------------------------------------------------------------ typing a date


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("31/12/2026", datetime.date(2026, 12, 31)),
        ("2026-12-31", datetime.date(2026, 12, 31)),  # what a date picker sends
        ("31/12/26", datetime.date(2026, 12, 31)),
        ("31 December 2026", datetime.date(2026, 12, 31)),
    ],
)
def test_a_date_is_typed_day_first_or_as_a_date_picker_sends_it(typed, read):
    from masthead.core.forms import day_field

    assert day_field().clean(typed) == read


@pytest.mark.parametrize(
    "typed", ["12/31/2026", "31/02/2026", "tomorrow", "<script>x</script>", "9" * 5000, "1;--"]
)
def test_a_date_that_cannot_be_read_is_answered_with_the_style_to_use(typed):
    from django.core.exceptions import ValidationError

    from masthead.core.forms import day_field

    with pytest.raises(ValidationError) as refused:
        day_field().clean(typed)
    assert refused.value.messages == ["Write the date as day/month/year, such as 31/12/2026."]


def test_the_search_page_takes_and_shows_dates_day_first(client, dated_paper):
    with time_machine.travel(NOW, tick=False):
        response = client.get("/search/?q=harbour&from=08/03/2027&to=31/03/2027")
        assert response.status_code == 200
        html = response.content.decode()
        assert 'value="08/03/2027"' in html and 'value="31/03/2027"' in html
        results = html.split('<ol class="search-results">')[1].split("</ol>")[0]
        assert "reopens" in results and "repairs" not in results
        bad = client.get("/search/?q=harbour&from=12/31/2027")
        assert bad.status_code == 200
        assert "write day/month/year, such as 08/04/2025" in bad.content.decode()

"""The Jobs & Scholarships board: listings, expiry, filters, pages and structured data."""

import json
from datetime import timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.conf import settings as django_settings
from django.utils import timezone

from masthead.jobs.models import Vacancy
from tests.jobs_fixtures import JobsBoard

# The site, its settings, the chrome and a page's head come from the cache.
BOARD_QUERIES = 6  # its page (2), places for the filter, count, listings, logos' renditions
LISTING_QUERIES = 6  # the pages along its path (4, its board routes it), organisation, logo
ORGANISATION_QUERIES = 5

# The default site answers as SITE_URL (tests/conftest.py).
SITE = django_settings.SITE_URL


@pytest.fixture
def jobs(paper):
    return JobsBoard(paper)


def titles(response):
    soup = BeautifulSoup(response.content, "html.parser")
    return [a.get_text(strip=True) for a in soup.select(".job-card__title a")]


def test_board_lists_open_vacancies_newest_first(client, jobs):
    first = jobs.vacancy("Mine engineer")
    second = jobs.vacancy("Geologist")
    jobs.vacancy("Old post", closes_in=-1)
    response = client.get(jobs.vacancies.url)
    assert response.status_code == 200
    assert titles(response) == [second.title, first.title]
    assert "2 open vacancies" in response.content.decode()


def test_board_sorted_by_closing_date(client, jobs):
    late = jobs.vacancy("Late", closes_in=40)
    soon = jobs.vacancy("Soon", closes_in=2)
    response = client.get(jobs.vacancies.url, {"sort": "closing"})
    assert titles(response) == [soon.title, late.title]


def test_closing_soon_is_marked(client, jobs):
    jobs.vacancy("Soon", closes_in=2)
    jobs.vacancy("Today", closes_in=0)
    jobs.vacancy("Later", closes_in=20)
    html = client.get(jobs.vacancies.url).content.decode()
    assert "Closes in 2 days" in html
    assert "Closes today" in html
    assert html.count("badge--soon") == 2


def test_listing_leaves_the_list_after_its_closing_date(client, jobs):
    vacancy = jobs.vacancy("Driver", closes_in=3)
    closing_day = timezone.localdate() + timedelta(days=3)
    with time_machine.travel(
        timezone.make_aware(
            timezone.datetime.combine(closing_day, timezone.datetime.min.time())
        ).replace(hour=23, minute=59),
        tick=False,
    ):
        assert titles(client.get(jobs.vacancies.url)) == ["Driver"]
    with time_machine.travel(closing_day + timedelta(days=1, hours=12), tick=False):
        assert titles(client.get(jobs.vacancies.url)) == []
        page = client.get(vacancy.url)
        assert page.status_code == 200
        html = page.content.decode()
        assert "This job vacancy is closed" in html
        assert '<meta name="robots" content="noindex">' in html
        assert page["X-Robots-Tag"] == "noindex"
        assert "Apply online" not in html
        assert "JobPosting" not in html


def test_filters_and_search(client, jobs):
    jobs.vacancy("Night nurse", employment_type="PART_TIME", location="Kumasi")
    jobs.vacancy("Accountant", employment_type="FULL_TIME", location="Accra")
    jobs.vacancy("Remote editor", workplace="remote", location="")
    assert titles(client.get(jobs.vacancies.url, {"type": "PART_TIME"})) == ["Night nurse"]
    assert titles(client.get(jobs.vacancies.url, {"location": "Accra"})) == ["Accountant"]
    assert titles(client.get(jobs.vacancies.url, {"workplace": "remote"})) == ["Remote editor"]
    assert titles(client.get(jobs.vacancies.url, {"q": "acme nurse"})) == ["Night nurse"]
    assert titles(client.get(jobs.vacancies.url, {"q": "kumasi"})) == ["Night nurse"]


def test_scholarship_filters(client, jobs):
    jobs.scholarship("Engineering masters", level="masters", field_of_study="Engineering")
    jobs.scholarship(
        "Medicine doctorate", level="doctoral", field_of_study="Medicine", country="Kenya"
    )
    url = jobs.scholarships.url
    assert titles(client.get(url, {"level": "doctoral"})) == ["Medicine doctorate"]
    assert titles(client.get(url, {"field": "Engineering"})) == ["Engineering masters"]
    assert titles(client.get(url, {"country": "Kenya"})) == ["Medicine doctorate"]


@pytest.mark.parametrize(
    "query",
    [
        {"type": "NOPE"},
        {"location": "<script>alert(1)</script>"},
        {"sort": "'; DROP TABLE jobs_vacancy; --"},
        {"q": "x" * 5000},
        {"q": '"()*:^ NEAR OR'},
        {"page": "abc"},
        {"page": "-1"},
        {"page": "99999"},
    ],
)
def test_bad_filters_get_a_page_never_a_500(client, jobs, query):
    jobs.vacancy("Welder")
    response = client.get(jobs.vacancies.url, query)
    # A bad page number is a 404, as on every listing; a bad filter is left out with a note.
    assert response.status_code == (404 if "page" in query else 200)
    assert b"<script>alert(1)</script>" not in response.content
    if query.keys() & {"type", "location", "sort"}:
        assert "left out" in response.content.decode()
        assert titles(response) == ["Welder"]


def test_vacancy_page_and_job_posting(client, jobs):
    vacancy = jobs.vacancy(
        "Mine engineer",
        salary_min=5000,
        salary_max=8000,
        salary_currency="GHS",
        salary_period="MONTH",
        employment_type="FULL_TIME",
    )
    response = client.get(vacancy.url)
    html = response.content.decode()
    assert "Acme Mining" in html and "GHS 5,000 – 8,000 a month" in html
    assert "Apply online" in html
    soup = BeautifulSoup(html, "html.parser")
    data = [json.loads(s.string) for s in soup.find_all("script", type="application/ld+json")]
    [posting] = [d for d in data if d.get("@type") == "JobPosting"]
    assert posting["title"] == "Mine engineer"
    assert posting["hiringOrganization"]["name"] == "Acme Mining"
    assert posting["validThrough"].startswith(vacancy.closing_date.isoformat())
    assert posting["employmentType"] == "FULL_TIME"
    assert posting["baseSalary"]["currency"] == "GHS"
    assert posting["baseSalary"]["value"]["minValue"] == 5000
    assert posting["jobLocation"]["address"]["addressLocality"] == "Accra"


def test_remote_vacancy_job_posting(client, jobs):
    vacancy = jobs.vacancy("Sub-editor", workplace="remote", location="", country="Ghana")
    soup = BeautifulSoup(client.get(vacancy.url).content, "html.parser")
    data = [json.loads(s.string) for s in soup.find_all("script", type="application/ld+json")]
    [posting] = [d for d in data if d.get("@type") == "JobPosting"]
    assert posting["jobLocationType"] == "TELECOMMUTE"
    assert posting["applicantLocationRequirements"]["name"] == "Ghana"


def test_scholarship_page(client, jobs):
    scholarship = jobs.scholarship("Volta engineering award", eligibility="<p>Citizens.</p>")
    html = client.get(scholarship.url).content.decode()
    assert "<dt>Level</dt><dd>Master&#x27;s</dd>" in html  # escaped, as all text is
    assert "Who can apply" in html and "grants@college.example.org" in html


def test_organisation_page(client, jobs):
    jobs.vacancy("Mine engineer")
    jobs.vacancy("Closed one", closes_in=-3)
    response = client.get("/organisations/acme-mining/")
    assert response.status_code == 200
    assert titles(response) == ["Mine engineer"]
    assert client.get("/organisations/volta-college/").status_code == 404  # nothing listed yet
    assert client.get("/organisations/nobody/").status_code == 404


def test_unpublished_listing_is_not_listed(client, jobs):
    vacancy = jobs.vacancy("Secret")
    vacancy.unpublish()
    assert titles(client.get(jobs.vacancies.url)) == []
    assert client.get(vacancy.url).status_code == 404


def ok(response):
    """The response, once it is known to be the page and not an error page's few queries."""
    assert response.status_code == 200, (response.request["PATH_INFO"], response.status_code)
    return response


def test_board_query_count_is_fixed(uncached, client, jobs, django_assert_num_queries):
    jobs.vacancy("One")
    ok(client.get(jobs.vacancies.url))  # renditions made once
    with django_assert_num_queries(BOARD_QUERIES):
        assert titles(ok(client.get(jobs.vacancies.url))) == ["One"]
    for number in range(12):
        jobs.vacancy(f"More {number}", organisation=jobs.college if number % 2 else None)
    ok(client.get(jobs.vacancies.url))
    with django_assert_num_queries(BOARD_QUERIES):
        assert len(titles(ok(client.get(jobs.vacancies.url)))) == 13


def test_vacancy_model_checks(jobs):
    from django.core.exceptions import ValidationError

    vacancy = Vacancy(
        title="x",
        organisation=jobs.acme,
        closing_date=timezone.localdate(),
        description="<p>x</p>",
        salary_min=10,
        salary_max=5,
    )
    with pytest.raises(ValidationError) as error:
        vacancy.clean()
    assert "apply_url" in error.value.message_dict


def test_board_feeds_list_open_listings(client, jobs):
    import feedparser

    jobs.vacancy("Mine engineer")
    jobs.vacancy("Closed post", closes_in=-1)
    board_html = client.get(jobs.vacancies.url).content.decode()
    key = "jobs-scholarships/job-vacancies"
    for fmt in ("rss", "atom"):
        href = f"/feeds/boards/{key}/{fmt}/"
        assert href in board_html
        response = client.get(href)
        assert response.status_code == 200
        feed = feedparser.parse(response.content)
        assert not feed.bozo, feed.get("bozo_exception")
        assert [entry.title for entry in feed.entries] == ["Mine engineer – Acme Mining"]
        assert "Apply by" in feed.entries[0].summary
    data = json.loads(client.get(f"/feeds/boards/{key}/json/").content)
    assert [item["title"] for item in data["items"]] == ["Mine engineer – Acme Mining"]
    assert client.get("/feeds/boards/news/rss/").status_code == 404
    assert client.get("/feeds/boards/no/such/rss/").status_code == 404


def test_sitemap_lists_boards_open_listings_and_organisations(client, jobs):
    from lxml import etree

    from tests.test_syndication import NS, URLSET, locations

    open_one = jobs.vacancy("Mine engineer")
    closed = jobs.vacancy("Closed post", closes_in=-1)
    scholarship = jobs.scholarship("Award")
    index = client.get("/sitemap.xml").content.decode()
    assert "/sitemaps/listings.xml" in index
    response = client.get("/sitemaps/listings.xml")
    document = etree.fromstring(response.content)
    assert URLSET.validate(document), URLSET.error_log
    found = locations(document)
    assert SITE + open_one.url in found
    assert SITE + scholarship.url in found
    assert SITE + jobs.vacancies.url in found
    assert SITE + "/organisations/acme-mining/" in found
    assert SITE + closed.url not in found
    assert NS


def test_site_search_finds_open_listings(client, jobs):
    jobs.vacancy("Harbour pilot")
    jobs.vacancy("Harbour master", closes_in=-1)
    jobs.scholarship("Harbour engineering award")
    html = client.get("/search/", {"q": "harbour"}).content.decode()
    assert "Jobs &amp; scholarships" in html
    assert "Harbour pilot" in html and "Harbour engineering award" in html
    assert "Harbour master" not in html


def test_listing_and_organisation_pages_cost_fixed_queries(
    uncached, client, jobs, django_assert_num_queries
):
    vacancy = jobs.vacancy("Mine engineer", salary_min=10, salary_currency="GHS")
    scholarship = jobs.scholarship("Award")
    for url in (vacancy.url, scholarship.url, "/organisations/acme-mining/"):
        ok(client.get(url))  # renditions made once
    with django_assert_num_queries(LISTING_QUERIES):
        ok(client.get(vacancy.url))
    with django_assert_num_queries(LISTING_QUERIES - 1):  # its college has no logo
        ok(client.get(scholarship.url))
    with django_assert_num_queries(ORGANISATION_QUERIES):
        assert titles(ok(client.get("/organisations/acme-mining/"))) == ["Mine engineer"]
    for number in range(8):
        jobs.vacancy(f"More {number}")
    ok(client.get("/organisations/acme-mining/"))
    with django_assert_num_queries(ORGANISATION_QUERIES):
        assert len(titles(ok(client.get("/organisations/acme-mining/")))) == 9

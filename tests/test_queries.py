"""Each public page costs a fixed number of SQL queries, however much it lists, with the demo's
real menu (its nine sections three levels deep, Link pages and the jobs boards)."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

from masthead.articles.models import ArticlePage, TopStoriesPage
from masthead.authors.models import Author
from masthead.demo.content import build_demo
from masthead.jobs.models import Organisation, Scholarship, ScholarshipBoard, Vacancy, VacancyBoard
from masthead.pages.models import ContactPage, StandardPage
from masthead.sections.models import SectionPage

pytestmark = pytest.mark.django_db

SMALL_CORPUS = 12
LARGE_CORPUS = 10 * SMALL_CORPUS

# Queries a page costs when the full-page cache is off and the data caches are warm: the site,
# its settings, view restrictions and the chrome come from the cache, and so do the rendered
# content and head of article, section, home and top stories pages. What is left is Wagtail
# finding the page (two queries: the pages along the path, then the page itself; four for a
# board's listing, which its board routes), and the lists that views build on each request.
EXPECTED = {
    "home": 0,  # the site's root page is the site's
    "section": 2,
    "deep section": 2,
    "article": 2,
    "top stories": 2,
    "author": 6,  # the author, then a page of cards: count, articles, renditions, bylines, sections
    "tag": 6,
    "vacancies board": 6,  # places for the filter, count, listings, logos' renditions
    "scholarships board": 6,
    "vacancy": 6,  # with its organisation and logo
    "scholarship": 6,
    "organisation": 5,
    "standard page": 2,
    "contact page": 2,
    "search results": 10,
    "jobs section": 2,  # its boards and their newest listings are in its cached content
    "page not found": 3,  # the latest stories are a cached fragment
}


def urls():
    article = ArticlePage.objects.published().order_by("-date", "-pk").first()
    tag = Tag.objects.filter(articles_articletag_items__content_object=article).first()
    economics = SectionPage.objects.get(slug="economics")
    deep = SectionPage.objects.descendant_of(economics).filter(depth=economics.depth + 2).first()
    return {
        "home": "/",
        "section": economics.url,
        "deep section": deep.url,
        "article": article.url,
        "top stories": TopStoriesPage.objects.get().url,
        "author": Author.objects.filter(article_links__page=article).first().get_absolute_url(),
        "tag": f"/tags/{tag.slug}/",
        "vacancies board": VacancyBoard.objects.get().url,
        "scholarships board": ScholarshipBoard.objects.get().url,
        "vacancy": Vacancy.objects.open().first().url,
        "scholarship": Scholarship.objects.open().first().url,
        "organisation": f"/organisations/{Organisation.objects.order_by('pk').first().slug}/",
        "standard page": StandardPage.objects.exact_type(StandardPage).get(slug="about").url,
        "contact page": ContactPage.objects.get().url,
        "search results": f"/search/?q={tag.name}",
        "jobs section": SectionPage.objects.get(slug="jobs-and-scholarships").url,
        "page not found": "/no-such-page/",
    }


def count_queries(client, url):
    status = 404 if url == "/no-such-page/" else 200
    assert client.get(url).status_code == status, url  # makes renditions and fills the caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == status, url
    return len(queries)


def test_every_public_page_costs_a_fixed_number_of_queries_on_a_ten_times_larger_corpus(
    uncached, client
):
    build_demo(articles=SMALL_CORPUS, report=io.StringIO().write)
    small = {name: count_queries(client, url) for name, url in urls().items()}
    build_demo(articles=LARGE_CORPUS, report=io.StringIO().write)
    assert ArticlePage.objects.count() == LARGE_CORPUS
    large = {name: count_queries(client, url) for name, url in urls().items()}

    assert small == EXPECTED
    assert large == EXPECTED

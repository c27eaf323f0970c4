"""Each public page costs a fixed number of SQL queries, however much it lists."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from masthead.articles.models import ArticlePage

pytestmark = pytest.mark.django_db


def fill(paper, count):
    """Add `count` articles spread over every section, sharing tags and authors."""
    sections = [paper.banking, paper.finance, paper.africa, paper.world, paper.economics]
    now = timezone.now()
    for n in range(count):
        paper.article(
            section=sections[n % len(sections)],
            date=now - timedelta(hours=n + 2),
            tags=["Markets", f"Topic {n % 4}"],
            authors=paper.authors[: 1 + n % 2],
        )


def pages(paper, article):
    return {
        "home": "/",
        "section": paper.economics.url,
        "article": article.url,
        "author": "/authors/ama-mensah/",
        "tag": "/tags/markets/",
        "top stories": paper.top_stories.url,
    }


def count_queries(client, url):
    assert client.get(url).status_code == 200  # the first view makes image renditions
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# Queries a page costs once its image renditions exist. The chrome (site, settings, menu,
# recent news) is 9 of them; Wagtail's page serving adds 4 to 6; the breadcrumb trail of the
# structured data adds 1 where the view has not fetched the page's ancestors already.
EXPECTED = {
    "home": 24,
    "section": 15,
    "article": 21,
    "author": 9,
    "tag": 9,
    "top stories": 14,
}


def test_public_pages_cost_a_fixed_number_of_queries_on_a_ten_times_larger_corpus(
    uncached, client, paper
):
    fill(paper, 15)
    article = paper.article(tags=["Markets", "Topic 1"], authors=paper.authors)
    for story in ArticlePage.objects.published()[:4]:
        paper.top_stories.stories.create(article=story)
    paper.top_stories.save()

    small = {name: count_queries(client, url) for name, url in pages(paper, article).items()}
    fill(paper, 135)
    for story in ArticlePage.objects.published()[10:40]:
        paper.top_stories.stories.create(article=story)
    paper.top_stories.save()
    large = {name: count_queries(client, url) for name, url in pages(paper, article).items()}

    assert small == EXPECTED
    assert large == EXPECTED

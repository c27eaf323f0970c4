from django.template.loader import render_to_string

from masthead.articles.models import ArticlePage
from masthead.caching.fragments import fragment
from masthead.caching.store import record

RECENT_NEWS_COUNT = 5


def newest(count):
    """The newest published articles, recorded as what the fragment shows."""
    record("articles")
    articles = list(
        ArticlePage.objects.published().defer_streamfields().order_by("-date", "-pk")[:count]
    )
    record(*(f"page:{article.pk}" for article in articles))
    return articles


@fragment("recent-news")
def recent_news():
    """The footer's newest articles: changed by every article published, so kept apart."""
    return render_to_string("articles/recent_news.html", {"recent": newest(RECENT_NEWS_COUNT)})


LATEST_STORIES_COUNT = 6


@fragment("latest-stories")
def latest_stories():
    """The latest stories the "page not found" page offers: kept apart like the recent news, so
    that a flood of mistyped addresses costs no query for them."""
    latest = newest(LATEST_STORIES_COUNT)
    return render_to_string("articles/latest_stories.html", {"latest": latest})

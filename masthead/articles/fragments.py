from django.template.loader import render_to_string

from masthead.articles.models import ArticlePage
from masthead.caching.fragments import fragment
from masthead.caching.store import record

RECENT_NEWS_COUNT = 5


@fragment("recent-news")
def recent_news():
    """The footer's newest articles: changed by every article published, so kept apart."""
    record("articles")
    recent = list(
        ArticlePage.objects.published()
        .defer_streamfields()
        .order_by("-date", "-pk")[:RECENT_NEWS_COUNT]
    )
    record(*(f"page:{article.pk}" for article in recent))
    return render_to_string("articles/recent_news.html", {"recent": recent})


LATEST_STORIES_COUNT = 6


@fragment("latest-stories")
def latest_stories():
    """The latest stories the "page not found" page offers: kept apart like the recent news, so
    that a flood of mistyped addresses costs no query for them."""
    record("articles")
    latest = list(
        ArticlePage.objects.published()
        .defer_streamfields()
        .order_by("-date", "-pk")[:LATEST_STORIES_COUNT]
    )
    record(*(f"page:{article.pk}" for article in latest))
    return render_to_string("articles/latest_stories.html", {"latest": latest})

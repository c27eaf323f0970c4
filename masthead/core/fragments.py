from django.template.loader import render_to_string

from masthead.caching.fragments import fragment
from masthead.caching.store import expire_at, record


@fragment("breaking-news")
def breaking_news():
    """The breaking-news banner of the default site, or nothing: a fragment, so that switching
    it purges the banner alone, and it goes by itself at its expiry."""
    from masthead.core.models import BreakingNews

    record("breaking-news", "settings")
    # Not for_site(), which would make the row, and purge the banner while it is being built.
    news = BreakingNews.objects.filter(site__is_default_site=True).first()
    if news is None or not news.showing:
        return ""
    if news.expires_at:
        expire_at(news.expires_at)
    if news.link_page_id:
        record(f"page:{news.link_page_id}")
    return render_to_string("core/breaking_news.html", {"news": news})

from django.urls import path, re_path

from masthead.syndication import feeds, views

FORMAT = r"(?P<feed_format>rss|atom|json)"

urlpatterns = [
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("sitemap.xml", views.sitemap_index, name="sitemap_index"),
    re_path(
        r"^sitemaps/articles-(?P<year>\d{4})-(?P<month>\d{2})\.xml$",
        views.sitemap_articles,
        name="sitemap_articles",
    ),
    re_path(
        r"^sitemaps/(?P<name>sections|pages|tags|authors|news|listings)\.xml$",
        views.sitemap,
        name="sitemap",
    ),
    re_path(rf"^feeds/{FORMAT}/$", feeds.feed_view, name="feed"),
    re_path(
        rf"^feeds/sections/(?P<key>[-\w]+(?:/[-\w]+)*)/{FORMAT}/$",
        feeds.feed_view,
        {"kind": "section"},
        name="section_feed",
    ),
    re_path(
        rf"^feeds/boards/(?P<key>[-\w]+(?:/[-\w]+)*)/{FORMAT}/$",
        feeds.feed_view,
        {"kind": "board"},
        name="board_feed",
    ),
    re_path(
        rf"^feeds/tags/(?P<key>[-\w]+)/{FORMAT}/$",
        feeds.feed_view,
        {"kind": "tag"},
        name="tag_feed",
    ),
    re_path(
        rf"^feeds/authors/(?P<key>[-\w]+)/{FORMAT}/$",
        feeds.feed_view,
        {"kind": "author"},
        name="author_feed",
    ),
]

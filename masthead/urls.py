from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from masthead.articles.live import live_entries
from masthead.articles.views import tag_page
from masthead.authors.views import author_page
from masthead.caching.fragments import fragment_view
from masthead.core.errors import page_password
from masthead.core.views import health, security_txt
from masthead.search import views as search_views

handler400 = "masthead.core.errors.bad_request"
# allauth's rate limits answer through this: the site's one 429 page.
handler429 = "masthead.core.errors.rate_limited"

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    # Before Wagtail's own: the password of a private page is throttled like a login.
    path(
        "_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/",
        page_password(wagtail_views.authenticate_with_password),
        name="wagtailcore_authenticate_with_password",
    ),
    path("accounts/", include("masthead.accounts.urls")),
    path("documents/", include(wagtaildocs_urls)),
    path("_fragments/<slug:name>/", fragment_view, name="fragment"),
    path(".well-known/security.txt", security_txt, name="security_txt"),
    path("_health/", health, name="health"),
    path("authors/<str:slug>/", author_page, name="author"),
    path("tags/<str:slug>/", tag_page, name="tag"),
    path("live/<int:page_id>/entries", live_entries, name="live_entries"),
    path("", include("masthead.jobs.urls")),
    path("", include("masthead.syndication.urls")),
    path("search/", search_views.search, name="search"),
    path("search/live/", search_views.live_search, name="live_search"),
    path("comments/", include("masthead.comments.urls")),
    path("newsletter/", include("masthead.newsletter.urls")),
    path("most-read/", include("masthead.popularity.urls")),
    path("newsroom/", include("masthead.newsroom.urls")),
]

if settings.SERVE_MEDIA:
    media_prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns.append(
        re_path(rf"^{media_prefix}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})
    )

urlpatterns.append(path("", include(wagtail_urls)))

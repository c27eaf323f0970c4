"""The beacon that counts a view: sent by beacon.js from the cached article page.

It sets no cookie and keeps no address or user agent: the article and the hour are all that is
stored. Crawlers (by their user agent) are not counted, and one client address is counted at
most VIEW_COUNT_RATE times (the site's one rate limit, which forgets the address by itself)."""

import re

from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from masthead.articles.models import ArticlePage
from masthead.core.ratelimit import limited, too_many_requests
from masthead.popularity.models import count_view

# Longer than any article id; a longer body is refused before it is read.
MAX_BODY = 20
CRAWLERS = re.compile(
    r"bot|crawl|spider|slurp|archiver|facebookexternalhit|embedly|preview|headless|lighthouse"
    r"|curl|wget|python|httpclient|java/|go-http|libwww|scrapy|okhttp",
    re.IGNORECASE,
)


def plain(message, status):
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt  # no cookie is read or set: nothing of the reader's to forge
@never_cache
@require_POST
def count(request):
    agent = request.headers.get("User-Agent", "")
    if not agent or CRAWLERS.search(agent):
        return HttpResponse(status=204)  # a crawler: answered, not counted
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        length = MAX_BODY + 1
    if length > MAX_BODY:
        return plain("The body is an article's id, and no more.", 413)
    article_id = request.body.decode("ascii", "replace").strip()
    if not article_id.isdigit() or len(article_id) > 10:
        return HttpResponseBadRequest(
            "The body is an article's id.", content_type="text/plain; charset=utf-8"
        )
    if wait := limited(request, "count_view"):
        return too_many_requests(wait, "Too many views counted from here; try later.")
    if not ArticlePage.objects.published().filter(pk=int(article_id)).exists():
        return plain("No published article has this id.", 404)
    count_view(int(article_id))
    return HttpResponse(status=204)

"""The poll of live coverage: the entries published after the one a reader's page shows.

One answer for every reader at the same point (the address says which entries they have), kept
by the page cache and Varnish until the article is published again, which is how an entry is
added; the answer says how soon to ask again."""

from django.http import JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from masthead.articles.models import LIVE_POLL_SECONDS, ArticlePage
from masthead.caching.store import record

# Entry ids are database ids; anything longer than this is not one.
MAX_ID_DIGITS = 18


def refused(message, status):
    response = JsonResponse({"error": message}, status=status)
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def live_entries(request, page_id):
    after = request.GET.get("after", "0")
    if not after.isascii() or not after.isdigit() or len(after) > MAX_ID_DIGITS:
        return refused("`after` must be the id of an entry: a whole number, 0 for all.", 400)
    page = (
        ArticlePage.objects.published()
        .exclude(live_coverage="")
        .defer_streamfields()
        .filter(pk=page_id)
        .first()
    )
    if page is None or page.get_view_restrictions().exists():
        return refused("There is no live coverage here.", 404)
    record(f"url:{page.pk}")
    entries = list(page.live_entries.all())
    running = page.live_coverage == ArticlePage.LIVE_RUNNING
    data = {
        "state": page.live_coverage,
        "latest": max((entry.pk for entry in entries), default=0),
        "poll_seconds": LIVE_POLL_SECONDS if running else None,
        "entries": [
            {
                "id": entry.pk,
                "pinned": entry.pinned,
                "html": render_to_string("articles/live_entry.html", {"entry": entry}),
                "key_event_html": render_to_string("articles/live_key_event.html", {"entry": entry})
                if entry.pinned
                else None,
            }
            for entry in entries
            if entry.pk > int(after)
        ],
    }
    if not running and page.live_summary:
        data["summary_html"] = render_to_string("articles/live_summary.html", {"page": page})
    response = JsonResponse(data)
    response["Cache-Control"] = f"max-age={LIVE_POLL_SECONDS - 1}"
    return response

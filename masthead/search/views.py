"""The results page (/search/) and the live search that drops down from the header box."""

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe
from taggit.models import Tag
from wagtail.models import Site

from masthead.articles.models import ArticlePage, ArticleTag, attach_sections
from masthead.authors.models import Author
from masthead.caching.store import record
from masthead.core import ratelimit
from masthead.core.pagination import PER_PAGE
from masthead.jobs.models import open_listings_matching
from masthead.search.forms import SearchFilters, narrow, section_choices
from masthead.search.query import highlighter, mark, parse, snippet

LIVE_COUNT = 5
OTHER_MATCHES_COUNT = 8
LATEST_FIRST = ("-date", "-id")  # also breaks ties in relevance: recent articles first


def page_number(raw, num_pages):
    """The page asked for in ?page=, or the nearest one with a note: a bad number is no error."""
    if raw is None or raw == "":
        return 1, None
    try:
        number = int(raw)
    except ValueError:
        return 1, f"“{raw[:20]}” is not a page number, so here is the first page."
    if number < 1:
        return 1, "Pages are numbered from 1, so here is the first page."
    if number > num_pages:
        pages = "is only one page" if num_pages == 1 else f"are only {num_pages} pages"
        return num_pages, f"There {pages} of results, so here is the last."
    return number, None


# The body's blocks of text; the others would look up their pictures and pages, article by article.
SNIPPET_BLOCKS = ("paragraph", "subheading", "quote")


def body_text(article):
    """The standfirst and the body's text as plain text, for the snippet."""
    stream_block = ArticlePage._meta.get_field("body").stream_block
    text = [article.standfirst]
    for item in article.body.raw_data:
        if item["type"] in SNIPPET_BLOCKS:
            block = stream_block.child_blocks[item["type"]]
            text += block.get_searchable_content(block.to_python(item["value"]))
    return " ".join(text)


def results_page(request, search_text, filters):
    """The page of matching articles, highlighted, and the total; notes on a bad page number."""
    articles = narrow(ArticlePage.objects.published(), filters).order_by(*LATEST_FIRST)
    articles = articles.for_cards().defer(None)  # the body is needed for the snippet
    results = articles.search(search_text.query, order_by_relevance=filters["sort"] == "relevance")
    paginator = Paginator(results, PER_PAGE)
    number, note = page_number(request.GET.get("page"), paginator.num_pages)
    page = paginator.page(number)
    pattern = highlighter(search_text)
    page.object_list = attach_sections(page.object_list)
    for article in page.object_list:
        article.marked_title = mark(article.title, pattern)
        article.snippet = snippet(body_text(article), pattern) or article.standfirst
    return page, note


def other_matches(search_text, sections):
    """Authors, tags, sections and open listings whose names contain every word, for the
    first page of results.

    Names are short and their tables small, so a plain lookup serves better here than a second
    pass over the full-text matches (which are mostly articles). Tags are matched by name
    first and then checked for a published article each: asking for the tags of every published
    article first made SQLite list them all. Sections come from the list the filter already
    holds, in tree order."""
    terms = [term.lower() for term in search_text.words]
    terms += [" ".join(phrase).lower() for phrase in search_text.phrases]
    authors = Author.objects.all()
    tags = Tag.objects.all()
    for term in terms:
        authors = authors.filter(name__icontains=term)
        tags = tags.filter(name__icontains=term)
    published = ArticlePage.objects.published().filter(pk=OuterRef("content_object_id"))
    tagged = ArticleTag.objects.filter(tag_id=OuterRef("pk")).filter(Exists(published))
    named = [s for s in sections if all(term in s.title.lower() for term in terms)]
    return {
        "authors": list(authors.order_by("name")[:OTHER_MATCHES_COUNT]),
        "tags": list(tags.filter(Exists(tagged)).order_by("name")[:OTHER_MATCHES_COUNT]),
        "sections": named[:OTHER_MATCHES_COUNT],
        "listings": open_listings_matching(terms, OTHER_MATCHES_COUNT),
    }


def record_search(request):
    """Results can show any article, listing or section, and tags, authors and organisations."""
    site = Site.find_for_request(request)
    record("tags", "authors", "orgs", "articles", f"children:{site.root_page_id if site else 0}")


@require_safe
def search(request):
    record_search(request)
    search_text = parse(request.GET.get("q", ""))
    sections = section_choices()
    filter_form = SearchFilters(request.GET, sections)
    filters, filter_notes = filter_form.filters()
    notes = search_text.notes + filter_notes
    context = {
        "search_text": search_text,
        "filter_form": filter_form,
        "filters": filters,
        "notes": notes,
        "header_query": search_text.text,
    }
    if "q" in request.GET and not search_text.text:
        notes.append("Type a word or two to search the paper.")
    if search_text:
        page, page_note = results_page(request, search_text, filters)
        if page_note:
            notes.append(page_note)
        query = request.GET.copy()
        query.pop("page", None)
        context.update(articles=page, query_string=query.urlencode(), searched=True)
        if page.number == 1:
            context.update(other_matches(search_text, sections))
    response = render(request, "search/search_page.html", context)
    # Result pages are endless variations of the site's own content: keep them out of search
    # engines' indexes (the meta tag says it to crawlers that read HTML, this header to all).
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def live_search(request):
    """Up to five articles as options for the header's listbox; an empty answer means none."""
    wait = ratelimit.limited(request, "search_live")
    if wait:
        return ratelimit.too_many_requests(wait, "Too many searches at once: wait a few seconds.")
    record_search(request)
    search_text = parse(request.GET.get("q", ""))
    articles = []
    if len(search_text.text) >= 2 and search_text:
        # Newest first, not ranked: a reader typing "el" wants the latest headlines with a word
        # starting with "el", and the backend can stop at the fifth instead of ranking them all.
        public = ArticlePage.objects.published().order_by(*LATEST_FIRST).defer_streamfields()
        newest = {"order_by_relevance": False}
        articles = list(public.autocomplete(search_text.autocomplete, **newest)[:LIVE_COUNT])
        if not articles:  # the words may be in the body only, which live search does not index
            articles = list(public.search(search_text.query, **newest)[:LIVE_COUNT])
    context = {
        "articles": attach_sections(articles),
        "all_url": reverse("search") + "?" + urlencode({"q": search_text.text}),
        "search_text": search_text,
    }
    response = render(request, "search/live_results.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response

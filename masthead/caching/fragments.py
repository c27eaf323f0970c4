"""Parts of a page that change far more often than the page around them (the footer's recent
news changes with every article published), kept apart so that a change purges only the part.

A cached page holds an ESI include where the part goes. Varnish assembles it itself (it asks
for includes with `Surrogate-Capability`); for every other client Masthead fills it in."""

import re

from django.http import Http404, HttpResponse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from masthead.caching.store import cached

FRAGMENTS = {}
# Fragments of one page each (`most-read-12`: most read in section 12), by the name before the id.
FRAGMENTS_OF_PAGE = {}
INCLUDE = '<esi:include src="/_fragments/{name}/"/>'
INCLUDE_PATTERN = re.compile(r'<esi:include src="/_fragments/([a-z0-9-]+)/"/>')


def fragment(name, of_page=False):
    """Register a function that returns the HTML of a fragment (the same for every reader).
    With `of_page`, the function takes a page id: the fragment `<name>-<id>`."""

    def register(function):
        (FRAGMENTS_OF_PAGE if of_page else FRAGMENTS)[name] = function
        return function

    return register


def function_of(name):
    """The function that builds the fragment `name` with no argument, or None."""
    if name in FRAGMENTS:
        return FRAGMENTS[name]
    base, _, page_id = name.rpartition("-")
    if base in FRAGMENTS_OF_PAGE and page_id.isdigit() and len(page_id) < 10:
        return lambda: FRAGMENTS_OF_PAGE[base](int(page_id))
    return None


def render_fragment(name):
    return cached(f"fragment:{name}", function_of(name))


def assemble(html):
    """The page with its includes filled in."""
    return INCLUDE_PATTERN.sub(lambda match: render_fragment(match[1]), html)


def include(name):
    return mark_safe(INCLUDE.format(name=name))


@require_safe
def fragment_view(request, name):
    if function_of(name) is None:
        raise Http404
    return HttpResponse(render_fragment(name))

"""Parts of a page that change far more often than the page around them (the footer's recent
news changes with every article published), kept apart so that a change purges only the part.

A cached page holds an ESI include where the part goes. Varnish assembles it itself (it asks
for includes with `Surrogate-Capability`); for every other client Masthead fills it in.

Each include costs Varnish a lookup and a write on every hit: three includes served articles at
about half the rate of no include (bench/cache.py, deploy/varnish/masthead.vcl). A part that
changes rarely is registered `apart=False`: it goes inside the page, whose keys then include
its own, so that a change purges every page that shows it."""

import re

from django.http import Http404, HttpResponse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from masthead.caching.store import cached

FRAGMENTS = {}
INLINE = set()  # fragments put inside cached pages instead of included
# Fragments of one page each (`most-read-12`: most read in section 12), by the name before the id.
FRAGMENTS_OF_PAGE = {}
INCLUDE = '<esi:include src="/_fragments/{name}/"/>'
INCLUDE_PATTERN = re.compile(r'<esi:include src="/_fragments/([a-z0-9-]+)/"/>')


def fragment(name, apart=True, of_page=False):
    """Register a function that returns the HTML of a fragment (the same for every reader);
    `apart=False` puts it inside cached pages instead of an include. With `of_page`, the
    function takes a page id: the fragment `<name>-<id>`."""

    def register(function):
        (FRAGMENTS_OF_PAGE if of_page else FRAGMENTS)[name] = function
        if not apart:
            INLINE.add(name)
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
    """Where the fragment goes in a page built for the cache: an include, or the fragment
    itself when it is not kept apart."""
    if name in INLINE:
        return render_fragment(name)
    return mark_safe(INCLUDE.format(name=name))


@require_safe
def fragment_view(request, name):
    if function_of(name) is None:
        raise Http404
    return HttpResponse(render_fragment(name))

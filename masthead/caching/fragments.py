"""Parts of a page that change far more often than the page around them (the footer's recent
news changes with every article published), kept apart so that a change purges only the part.

A cached page holds an ESI include where the part goes. Varnish assembles it itself (it asks
for includes with `Surrogate-Capability`); for every other client Masthead fills it in.

Each include costs Varnish a lookup and a write on every hit: it served a cached page with one
include at about two thirds of the rate of the same page without, with two at about half
(deploy/varnish/masthead.vcl has the figures of bench/cache.py). So a part goes inside the
page, whose keys then include its own, when that costs few purges: a part that changes rarely
(registered `apart=False`), every part of a page that each of their changes purges anyway (the
front page), and a part with nothing to show."""

import re

from django.http import Http404, HttpResponse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from masthead.caching.store import cached, collecting, record_shown

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


def include(name, inside=False):
    """Where the fragment goes in a page built for the cache: an include, or else the fragment
    itself, its keys then the page's. Inside when it is registered `apart=False`, or when the
    page is purged by whatever changes the fragment anyway (`inside`: the front page). And an
    empty fragment (the banner when none is showing) is left out: the page is purged when the
    fragment has something to show, instead of every hit looking up nothing."""
    if inside or name in INLINE:
        return render_fragment(name)
    with collecting(apart=True) as shown:
        html = render_fragment(name)
    if html.strip():
        return mark_safe(INCLUDE.format(name=name))
    record_shown(shown)
    return ""


@require_safe
def fragment_view(request, name):
    if function_of(name) is None:
        raise Http404
    return HttpResponse(render_fragment(name))

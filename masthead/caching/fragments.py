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
INCLUDE = '<esi:include src="/_fragments/{name}/"/>'
INCLUDE_PATTERN = re.compile(r'<esi:include src="/_fragments/([a-z0-9-]+)/"/>')


def fragment(name, apart=True):
    """Register a function that returns the HTML of a fragment (the same for every reader);
    `apart=False` puts it inside cached pages instead of an include."""

    def register(function):
        FRAGMENTS[name] = function
        if not apart:
            INLINE.add(name)
        return function

    return register


def render_fragment(name):
    return cached(f"fragment:{name}", FRAGMENTS[name])


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
    if name not in FRAGMENTS:
        raise Http404
    return HttpResponse(render_fragment(name))

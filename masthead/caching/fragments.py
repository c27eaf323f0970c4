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
INCLUDE = '<esi:include src="/_fragments/{name}/"/>'
INCLUDE_PATTERN = re.compile(r'<esi:include src="/_fragments/([a-z0-9-]+)/"/>')


def fragment(name):
    """Register a function that returns the HTML of a fragment (the same for every reader)."""

    def register(function):
        FRAGMENTS[name] = function
        return function

    return register


def render_fragment(name):
    return cached(f"fragment:{name}", FRAGMENTS[name])


def assemble(html):
    """The page with its includes filled in."""
    return INCLUDE_PATTERN.sub(lambda match: render_fragment(match[1]), html)


def include(name):
    return mark_safe(INCLUDE.format(name=name))


@require_safe
def fragment_view(request, name):
    if name not in FRAGMENTS:
        raise Http404
    return HttpResponse(render_fragment(name))

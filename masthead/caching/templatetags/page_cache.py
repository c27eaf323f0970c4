from django import template

from masthead.caching import fragments
from masthead.caching.middleware import building_for_cache

register = template.Library()


@register.simple_tag
def fragment(name):
    """A part kept apart from the page: an include in a cached page, its HTML otherwise; nothing
    for a fragment no app registers."""
    if fragments.function_of(name) is None:
        return ""
    if building_for_cache.get():
        return fragments.include(name)
    return fragments.render_fragment(name)

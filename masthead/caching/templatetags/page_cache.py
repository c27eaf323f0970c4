from django import template

from masthead.caching import fragments
from masthead.caching.middleware import building_for_cache

register = template.Library()


def fragment_html(name, inside=False):
    """A part kept apart from the page: an include in a cached page (or the part itself, see
    fragments.include), its HTML otherwise; nothing for a fragment no app registers."""
    if fragments.function_of(name) is None:
        return ""
    if building_for_cache.get():
        return fragments.include(name, inside=inside)
    return fragments.render_fragment(name)


@register.simple_tag(takes_context=True)
def fragment(context, name):
    """`{% fragment "recent-news" %}`; a page whose context sets `fragments_inside` has its
    fragments inside it when cached."""
    return fragment_html(name, inside=bool(context.get("fragments_inside")))

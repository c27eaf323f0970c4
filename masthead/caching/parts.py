"""Parts of a page that are the same for every reader and costly to build (an article with its
related articles and previous/next, a section's list): rendered once and kept by `cached()`
until a key they record is purged. A preview shows a draft: it is rendered and never kept."""

from django.template.loader import render_to_string

from masthead.caching.store import cached


def rendered_part(request, name, template_name, build_context):
    """The HTML of `template_name` with the context `build_context()` returns."""

    def render():
        return render_to_string(template_name, {**build_context(), "request": request})

    if getattr(request, "is_preview", False):
        return render()
    return cached(name, render)

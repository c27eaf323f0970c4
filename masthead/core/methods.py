"""Which HTTP methods a public page answers: GET and HEAD, and POST where it takes a form."""

from django.http import HttpResponseNotAllowed

SAFE_METHODS = ("GET", "HEAD")
FORM_METHODS = (*SAFE_METHODS, "POST")


def accepts_posts(view):
    """Marks a routable page's view that takes a form."""
    view.allowed_methods = FORM_METHODS
    return view


def refuse_other_methods(page, request, serve_args):
    """405, with the allowed methods in `Allow`, for a method the page does not answer
    (OPTIONS included, as Django's `require_safe` views answer it); None when it does. The
    methods are the routable page view's `allowed_methods`, else the page type's."""
    view = serve_args[0] if serve_args and callable(serve_args[0]) else None
    allowed = getattr(view, "allowed_methods", None) or getattr(
        page, "allowed_methods", SAFE_METHODS
    )
    if request.method not in allowed:
        return HttpResponseNotAllowed(allowed)
    return None

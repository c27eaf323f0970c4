"""Which HTTP methods a public page answers: GET and HEAD, and POST where it takes a form."""

from django.http import Http404, HttpResponseNotAllowed
from django.urls import reverse

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


class OtherMethodsMiddleware:
    """Answers the methods a public address does not take with 405 before the CSRF check would
    answer them 403: a PUT, PATCH or DELETE anywhere outside the admin, and a POST to a page
    without a form. Pages say their methods as above; other views by `allowed_methods`, or
    GET and HEAD."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
            return None  # the CSRF check lets these through to the view, which answers them
        if request.path_info.startswith(reverse("wagtailadmin_home")):
            return None
        from wagtail.views import serve  # page models import this module: not before they load

        if view is serve:
            return refused_by_page(request, args[0] if args else kwargs.get("path", ""))
        if request.method == "POST":
            return None
        return HttpResponseNotAllowed(getattr(view, "allowed_methods", SAFE_METHODS))


def refused_by_page(request, path):
    """The page's 405, found the way Wagtail's `serve` finds the page; None when there is no
    page there (the view answers 404) or it takes this method."""
    from wagtail.models import Site

    site = Site.find_for_request(request)
    if site is None:
        return None
    try:
        page, args, _kwargs = site.root_page.localized.specific.route(
            request, [component for component in path.split("/") if component]
        )
    except Http404:
        return None
    return refuse_other_methods(page, request, args)

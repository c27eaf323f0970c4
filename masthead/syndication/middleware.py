from django.shortcuts import render
from wagtail.models import Site

from masthead.syndication.models import RemovedPage


class RemovedPageMiddleware:
    """Turns the 404 of a deleted article's address into 410 Gone, in the site's design.

    It sits before Wagtail's redirect middleware, so a redirect an editor adds for the address
    still wins."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404:
            return response
        path = request.path if request.path.endswith("/") else request.path + "/"
        site = Site.find_for_request(request)
        removed = RemovedPage.objects.filter(site=site, path=path).first() if site else None
        if removed is None:
            return response
        return render(request, "syndication/gone.html", {"removed": removed}, status=410)

from django.conf import settings
from wagtail.models import Site


def site(request):
    current = Site.find_for_request(request)
    return {"site_name": (current.site_name if current else "") or settings.WAGTAIL_SITE_NAME}

from django.db import connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache

from masthead.core.middleware import DATABASE_DOWN, database_down_response


@never_cache
def health(request):
    """For a front cache's health probe and a load balancer: 200 while the database answers,
    the 503 page when it does not. Never cached, so that it tells the truth of this moment."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DATABASE_DOWN:
        return database_down_response(request)
    return HttpResponse("ok\n", content_type="text/plain")

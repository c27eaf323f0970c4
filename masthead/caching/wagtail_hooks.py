from wagtail import hooks

from masthead.caching.store import record


@hooks.register("before_serve_page")
def record_served_page(page, request, serve_args, serve_kwargs):
    record(f"page:{page.pk}", f"url:{page.pk}")

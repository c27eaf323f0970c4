from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks

from masthead.core.methods import refuse_other_methods
from masthead.core.worker import waiting_tasks, worker_is_running


@hooks.register("before_serve_page")
def answer_only_allowed_methods(page, request, serve_args, serve_kwargs):
    return refuse_other_methods(page, request, serve_args)


@hooks.register("insert_global_admin_css")
def worker_warning_style():
    return format_html('<link rel="stylesheet" href="{}">', static("masthead/admin/worker.css"))


# Wagtail's global admin hook whose output is in the page's body, on every admin page.
@hooks.register("insert_global_admin_js")
def worker_warning():
    if worker_is_running():
        return ""
    return render_to_string("core/worker_warning.html", {"waiting": waiting_tasks()})

from wagtail import hooks

from masthead.core.methods import refuse_other_methods


@hooks.register("before_serve_page")
def answer_only_allowed_methods(page, request, serve_args, serve_kwargs):
    return refuse_other_methods(page, request, serve_args)

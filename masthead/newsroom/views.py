from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Page

from masthead.newsroom.flows import (
    ShareError,
    create_share,
    open_share,
    revoke_share,
    share_days,
)
from masthead.newsroom.models import DraftShare
from masthead.newsroom.tag_suggestions import suggest


def private(response):
    """Never kept by the page cache, Varnish or the browser; never indexed; the token in the
    address never sent on as a referrer."""
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def draft(request, token):
    """The latest revision of a shared page, read-only, under a "draft" notice."""
    try:
        share = open_share(token)
    except ShareError as refusal:
        response = TemplateResponse(
            request,
            "newsroom/draft_unavailable.html",
            {"message": str(refusal)},
            status=refusal.status,
        )
        return private(response)
    page = share.page.specific.get_latest_revision_as_object()
    request.is_preview = True
    request.preview_mode = page.default_preview_mode
    request.draft_share = share
    response = page.serve_preview(request, page.default_preview_mode)
    return private(response)


def editable_page(request, page_id):
    page = get_object_or_404(Page, pk=page_id).specific
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    return page


class DraftLinksView(WagtailAdminTemplateMixin, TemplateView):
    """The page's draft links: GET lists them, POST makes a new one and shows its address."""

    template_name = "newsroom/shares.html"
    page_title = "Draft links"
    header_icon = "link"
    http_method_names = ["get", "post", "head"]

    def setup(self, request, *args, page_id, **kwargs):
        super().setup(request, *args, **kwargs)
        self.page = editable_page(request, page_id)
        self.new_url = None

    def get_page_subtitle(self):
        return self.page.get_admin_display_title()

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {
                "url": reverse("wagtailadmin_pages:edit", args=[self.page.pk]),
                "label": self.page.get_admin_display_title(),
            },
            {"url": "", "label": "Draft links"},
        ]

    def post(self, request, *args, **kwargs):
        _, self.new_url = create_share(self.page, request.user)
        return self.get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            page=self.page,
            shares=DraftShare.objects.filter(page=self.page).select_related("created_by"),
            new_url=self.new_url,
            share_days=share_days(),
            **kwargs,
        )

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        add_never_cache_headers(response)
        return response


@require_POST
def revoke(request, page_id, share_id):
    page = editable_page(request, page_id)
    share = get_object_or_404(DraftShare, pk=share_id, page=page)
    revoke_share(share, request.user)
    messages.success(request, "The draft link is withdrawn: it no longer opens the draft.")
    return redirect("newsroom_shares", page.pk)


MAX_TEXT_LENGTH = 200_000
MAX_CHOSEN_TAGS = 100


@require_POST
def tag_suggestions(request):
    """Suggested tags for the draft's text (POST `text`, and `tags`: those chosen, by commas)."""
    text = request.POST.get("text", "")
    chosen = [name.strip() for name in request.POST.get("tags", "").split(",") if name.strip()]
    if len(text) > MAX_TEXT_LENGTH:
        message = f"The text is too long to read for tags (over {MAX_TEXT_LENGTH} characters)."
        return JsonResponse({"error": message}, status=400)
    if len(chosen) > MAX_CHOSEN_TAGS or any(len(name) > 100 for name in chosen):
        return JsonResponse({"error": "Those are not the article's tags."}, status=400)
    if "\x00" in text:
        return JsonResponse({"error": "The text holds characters that are not text."}, status=400)
    response = JsonResponse({"suggestions": suggest(text, chosen)})
    add_never_cache_headers(response)
    return response

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe
from taggit.models import Tag

from masthead.articles.models import ArticlePage, attach_sections
from masthead.caching.store import record
from masthead.core.pagination import paginate


@require_safe
def tag_page(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    record(f"tag:{tag.pk}", f"tagged:{tag.pk}")
    page = paginate(
        request,
        ArticlePage.objects.published().filter(tags=tag).order_by("-date", "-pk").for_cards(),
    )
    page.object_list = attach_sections(page.object_list)
    return render(request, "articles/tag_page.html", {"tag": tag, "articles": page})

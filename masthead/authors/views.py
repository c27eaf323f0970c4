from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from masthead.articles.models import ArticlePage, attach_sections
from masthead.authors.models import Author
from masthead.caching.store import record
from masthead.core.pagination import paginate


@require_safe
def author_page(request, slug):
    author = get_object_or_404(Author.objects.select_related("photo"), slug=slug)
    record(f"author:{author.pk}", f"byline:{author.pk}")
    page = paginate(
        request,
        ArticlePage.objects.published()
        .filter(article_authors__author=author)
        .order_by("-date", "-pk")
        .for_cards(),
    )
    page.object_list = attach_sections(page.object_list)
    return render(
        request,
        "authors/author_page.html",
        {"author": author, "articles": page, "hide_byline": True},
    )

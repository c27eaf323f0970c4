from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404

PER_PAGE = 20


def paginate(request, queryset, per_page=PER_PAGE):
    """The page of results asked for in ?page=; anything that is not one of its pages is a 404."""
    paginator = Paginator(queryset, per_page)
    try:
        return paginator.page(request.GET.get("page", 1))
    except (EmptyPage, PageNotAnInteger) as error:
        raise Http404("No such page of results.") from error

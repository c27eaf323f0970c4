"""The comments block of an article page: the same for every reader, cached as a part of its
own that records `comments:<article id>`, so that a comment's change rebuilds this block (and
the page around it) and never the article's body. Its first screen costs the same queries
and bytes whatever the number of comments: THREADS_PER_PAGE threads, REPLIES_SHOWN replies of
each, then links."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Window
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone

from masthead.caching.parts import rendered_part
from masthead.caching.store import cached, expire_at, record
from masthead.comments import flows
from masthead.comments.models import Comment

THREADS_PER_PAGE = 10
REPLIES_SHOWN = 2
REPLIES_PER_PAGE = 100
PAGE_PARAMETER = "comments"
THREAD_PARAMETER = "thread"

SHOWN = Q(status=Comment.Status.APPROVED)


def page_number(request):
    raw = request.GET.get(PAGE_PARAMETER, "1")
    if not raw.isdigit() or int(raw) < 1 or len(raw) > 6:
        raise Http404("No such page of comments")
    return int(raw)


def thread_id(request):
    raw = request.GET.get(THREAD_PARAMETER)
    if raw is None:
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise Http404("No such thread")
    return int(raw)


def threads_context(article, number):
    record(f"comments:{article.pk}", f"url:{article.pk}")  # it links to the article's address
    options = flows.comment_settings(article)
    closing = flows.closes_at(article, options)
    if closing is not None and article.comments_open and closing > timezone.now():
        expire_at(closing)  # the block says "closed" from then on
    # No counting over every thread: a deleted comment stays only while a reply is shown, and
    # the replies of the page's threads are counted with them (below).
    threads = (
        Comment.objects.filter(article=article, parent=None)
        .alias(has_replies=Exists(Comment.objects.filter(SHOWN, parent=OuterRef("pk"))))
        .filter(SHOWN | Q(removed=True, has_replies=True))
        .select_related("author__profile")
        .order_by("-created", "-pk")
    )
    paginator = Paginator(threads, THREADS_PER_PAGE)
    try:
        page = paginator.page(number)
    except (EmptyPage, PageNotAnInteger):
        raise Http404("No such page of comments") from None
    offset = (page.number - 1) * THREADS_PER_PAGE
    # Asked even when there is no comment (the paginator would skip it), as the replies are:
    # the block costs the same queries whatever it holds.
    page.object_list = list(threads[offset : offset + THREADS_PER_PAGE])
    # The first replies of each thread of this page, in one query.
    replies = (
        Comment.objects.filter(
            SHOWN, parent__in=threads.values("pk")[offset : offset + THREADS_PER_PAGE]
        )
        .select_related("author__profile")
        .annotate(
            rank=Window(
                RowNumber(), partition_by=[F("parent_id")], order_by=[F("created"), F("pk")]
            ),
            in_thread=Window(Count("pk"), partition_by=[F("parent_id")]),
        )
        .filter(rank__lte=REPLIES_SHOWN)
        .order_by("created", "pk")
    )
    by_thread = {}
    for reply in replies:
        by_thread.setdefault(reply.parent_id, []).append(reply)
    for thread in page.object_list:
        thread.first_replies = by_thread.get(thread.pk, [])
        in_thread = thread.first_replies[0].in_thread if thread.first_replies else 0
        thread.more_replies = in_thread - len(thread.first_replies)
    return {
        "article": article,
        "threads": page,
        "total": flows.counts([article.pk])[article.pk],
        "closed": flows.why_closed(article, options),
    }


def thread_context(article, thread_pk, number):
    record(f"comments:{article.pk}", f"url:{article.pk}")
    thread = (
        Comment.objects.filter(SHOWN | Q(removed=True), article=article, parent=None, pk=thread_pk)
        .select_related("author__profile")
        .first()
    )
    if thread is None:
        raise Http404("No such thread")
    replies = Paginator(
        thread.replies.filter(SHOWN).select_related("author__profile").order_by("created", "pk"),
        REPLIES_PER_PAGE,
    )
    try:
        page = replies.page(number)
    except EmptyPage:
        raise Http404("No such page of replies") from None
    thread.first_replies = page.object_list
    thread.more_replies = 0
    options = flows.comment_settings(article)
    return {
        "article": article,
        "thread": thread,
        "replies": page,
        "thread_prefix": f"thread={thread.pk}&",
        "total": flows.counts([article.pk])[article.pk],
        "closed": flows.why_closed(article, options),
    }


def comments_block(request, article):
    thread_pk = thread_id(request)
    number = page_number(request)
    if thread_pk is not None:
        return rendered_part(
            request,
            f"comments:{article.pk}:thread:{thread_pk}:{number}",
            "comments/thread.html",
            lambda: thread_context(article, thread_pk, number),
        )
    return rendered_part(
        request,
        f"comments:{article.pk}:{number}",
        "comments/block.html",
        lambda: threads_context(article, number),
    )


def count_in_header(article):
    def build():
        record(f"comments:{article.pk}")
        return render_to_string(
            "comments/header_count.html",
            {"article": article, "count": flows.counts([article.pk])[article.pk]},
        )

    return cached(f"comments-count:{article.pk}", build)


def article_slots(request, article):
    return {"header": count_in_header(article), "footer": comments_block(request, article)}


def with_comment_counts(queryset):
    approved = (
        Comment.objects.filter(
            article=OuterRef("pk"), status=Comment.Status.APPROVED, removed=False
        )
        .order_by()
        .values("article")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(comment_count=Coalesce(Subquery(approved), 0))


def article_cards(articles):
    """Cards that show a count (from `with_comment_counts`) change with the comments; lists
    that show none (feeds, live search) do not."""
    record(*(f"comments:{a.pk}" for a in articles if hasattr(a, "comment_count")))

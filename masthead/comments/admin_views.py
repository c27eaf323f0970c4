"""The moderation queues in Wagtail's admin: pending, approved, spam and reported, with bulk
actions (checkboxes) and keys (j/k to move, a/r/s to approve, reject, mark spam)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from masthead.comments import flows
from masthead.comments.models import Comment

QUEUES = {
    "pending": ("Pending", Q(status=Comment.Status.PENDING)),
    "reported": ("Reported", Q(reports__resolved=False)),
    "approved": ("Approved", Q(status=Comment.Status.APPROVED)),
    "spam": ("Spam", Q(status=Comment.Status.SPAM)),
    "rejected": ("Rejected", Q(status=Comment.Status.REJECTED)),
}
PER_PAGE = 50


def may_moderate(user):
    return user.has_perm("comments.change_comment")


@require_http_methods(["GET", "HEAD"])
def queue(request):
    if not may_moderate(request.user):
        raise PermissionDenied
    name = request.GET.get("queue", "pending")
    if name not in QUEUES:
        name = "pending"
    title, condition = QUEUES[name]
    comments = (
        Comment.objects.filter(condition, removed=False)
        .distinct()
        .select_related("author__profile", "article")
        .annotate(open_reports=Count("reports", filter=Q(reports__resolved=False)))
        .order_by("created" if name in ("pending", "reported") else "-created")
    )
    page = Paginator(comments, PER_PAGE).get_page(request.GET.get("p"))
    counts = {
        key: Comment.objects.filter(cond, removed=False).distinct().count()
        for key, (label, cond) in QUEUES.items()
        if key in ("pending", "reported")
    }
    tabs = [
        {"key": key, "label": label, "count": counts.get(key), "current": key == name}
        for key, (label, _) in QUEUES.items()
    ]
    return render(
        request,
        "comments/admin/queue.html",
        {
            "header_title": "Comments",
            "page_title": f"Comments: {title.lower()}",
            "header_icon": "comment",
            "queue": name,
            "tabs": tabs,
            "comments": page,
        },
    )


@require_POST
def act(request):
    if not may_moderate(request.user):
        raise PermissionDenied
    action = request.POST.get("action", "")
    back = reverse("comments_admin:queue") + "?queue=" + request.POST.get("queue", "pending")
    ids = request.POST.getlist("comment")
    if action == "ban":
        users = (
            get_user_model()
            .objects.filter(comments__pk__in=[i for i in ids if i.isdigit()])
            .distinct()
        )
        for user in users:
            flows.ban(user, reason=f"Banned by {request.user.get_username()}")
        messages.success(request, f"Banned {len(users)} reader(s).")
        return redirect(back)
    if action not in flows.ACTIONS:
        messages.error(request, "Choose approve, reject or spam.")
        return redirect(back)
    if not ids:
        messages.error(request, "Select at least one comment.")
        return redirect(back)
    done = flows.moderate(ids, action)
    messages.success(request, f"{action.capitalize()}: {done} comment{'s' if done != 1 else ''}.")
    return redirect(back)

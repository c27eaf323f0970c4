"""Thin views over flows.py. Everything here is per reader, under /comments/, never cached."""

from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.http import Http404, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from masthead.articles.models import ArticlePage
from masthead.comments import flows
from masthead.comments.forms import CommentForm, EditForm, NotificationsForm, ReportForm
from masthead.comments.models import Comment
from masthead.comments.tasks import UNSUBSCRIBE_SALT
from masthead.core import ratelimit
from masthead.core.forms import Submission, form_response, take_submission


def page(request, template, context, status=200):
    response = render(request, f"comments/{template}", context, status=status)
    add_never_cache_headers(response)
    return response


def refusal(request, message, status=400, article=None):
    return page(request, "message.html", {"message": message, "article": article}, status)


def find_article(article_id):
    article = ArticlePage.objects.filter(pk=article_id).first()
    if article is None:
        raise Http404("No such article")
    return article


def shown_url(comment):
    return f"{comment.article.url}#comment-{comment.pk}"


@require_safe
@never_cache
def me(request):
    """What the cached article page cannot say: who the reader is, whether they may comment,
    the form with its CSRF token, and which of the shown comments are theirs."""
    raw = request.GET.get("article", "")
    article = ArticlePage.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if article is None or not article.is_published:
        return JsonResponse({"error": "No such article."}, status=404)
    user = request.user if request.user.is_authenticated else None
    refused = flows.why_refused(user, article)
    data = {"signed_in": user is not None, "may_comment": not refused, "reason": refused}
    if user is not None:
        data["name"] = flows.display_name(user)
        data["mine"] = [
            {
                "id": comment.pk,
                "editable": flows.can_edit(user, comment),
                "edit_url": reverse("comments:edit", args=[comment.pk]),
                "delete_url": reverse("comments:delete", args=[comment.pk]),
            }
            for comment in Comment.objects.filter(
                author=user, article=article, removed=False
            ).order_by("-created")[:500]
        ]
        if not refused:
            data["form"] = render_to_string(
                "comments/form.html",
                {"form": CommentForm(), "article": article, "compact": True},
                request=request,
            )
        get_token(request)
    return JsonResponse(data)


@require_http_methods(["GET", "HEAD", "POST"])
def post_comment(request, article_id):
    article = find_article(article_id)
    if not request.user.is_authenticated:
        if request.method == "POST":
            return refusal(request, "Log in to join the discussion.", 403, article)
        return redirect_to_login(request.get_full_path())
    if request.method != "POST":
        posted = request.GET.get("posted", "")
        if posted.isdigit():
            comment = Comment.objects.filter(pk=int(posted), author=request.user).first()
            if comment is not None:
                return page(request, "posted.html", {"comment": comment, "article": article})
        refused = flows.why_refused(request.user, article)
        if refused:
            return refusal(request, refused, 403, article)
        form = CommentForm(initial={"reply_to": request.GET.get("reply_to", "")[:20]})
        return form_response(
            page(request, "form_page.html", {"form": form, "article": article}), Submission()
        )

    form = CommentForm(request.POST)

    def keep(form):
        try:
            form.comment = flows.post(
                request.user,
                article,
                form.cleaned_data["body"],
                parent_id=form.cleaned_data["reply_to"] or None,
                token=form.cleaned_data["token"],
                address=ratelimit.client_address(request),
            )
        except flows.CommentError as error:
            form.add_error(None, str(error))
            return Submission(status=400)
        return None

    submission = take_submission(request, form, keep)
    if submission.sent:
        comment = getattr(form, "comment", None)
        if comment is None:  # the honeypot's: answered as sent
            return page(request, "message.html", {"message": "Thank you.", "article": article})
        if comment.status == Comment.Status.APPROVED:
            return redirect(shown_url(comment))
        return redirect(reverse("comments:post", args=[article.pk]) + f"?posted={comment.pk}")
    context = {"form": form, "article": article}
    return form_response(page(request, "form_page.html", context), submission)


def own_or_refusal(request, comment_id):
    try:
        return flows.own_comment(request.user, comment_id), None
    except flows.CommentError as error:
        return None, refusal(request, str(error), 404)


@require_http_methods(["GET", "HEAD", "POST"])
def edit_comment(request, comment_id):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    comment, refused = own_or_refusal(request, comment_id)
    if refused:
        return refused
    form = EditForm(request.POST or None, initial={"body": comment.body})
    status = 200
    if request.method == "POST" and not form.is_spam:
        if form.is_valid():
            try:
                comment = flows.edit(request.user, comment.pk, form.cleaned_data["body"])
            except flows.CommentError as error:
                form.add_error(None, str(error))
            else:
                return redirect(shown_url(comment))
        status = 400
    elif not flows.can_edit(request.user, comment):
        form.add_error(
            None, f"A comment can be edited for {flows.EDIT_MINUTES} minutes after posting."
        )
    context = {"form": form, "comment": comment, "article": comment.article}
    return page(request, "edit.html", context, status)


@require_http_methods(["GET", "HEAD", "POST"])
def delete_comment(request, comment_id):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    comment, refused = own_or_refusal(request, comment_id)
    if refused:
        return refused
    if request.method == "POST":
        flows.delete(request.user, comment.pk)
        return redirect(f"{comment.article.url}#comments")
    return page(request, "delete.html", {"comment": comment, "article": comment.article})


@require_http_methods(["GET", "HEAD", "POST"])
def report_comment(request, comment_id):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    comment = (
        Comment.objects.filter(pk=comment_id, status=Comment.Status.APPROVED, removed=False)
        .select_related("article")
        .first()
    )
    if comment is None:
        return refusal(request, "This comment does not exist (any more).", 404)
    form = ReportForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            flows.report(request.user, comment.pk, form.cleaned_data["reason"])
        except flows.CommentError as error:
            form.add_error(None, str(error))
        else:
            return page(
                request,
                "message.html",
                {
                    "message": "Thank you: the moderators will look at this comment.",
                    "article": comment.article,
                },
            )
    if request.method == "POST":
        status = 400
    return page(
        request,
        "report.html",
        {"form": form, "comment": comment, "article": comment.article},
        status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def notifications(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method == "POST":
        form = NotificationsForm(request.POST)
        form.is_valid()
        flows.set_reply_notifications(
            request.user, form.cleaned_data.get("reply_notifications", False)
        )
        return redirect(reverse("comments:notifications") + "?saved=1")
    form = NotificationsForm(
        initial={"reply_notifications": flows.wants_reply_notifications(request.user)}
    )
    return page(request, "notifications.html", {"form": form, "saved": "saved" in request.GET})


@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """From the link in a reply notification: works without logging in (the link is signed)."""
    from django.contrib.auth import get_user_model

    try:
        user_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return refusal(
            request,
            "This unsubscribe link is not valid. Copy the whole link from "
            "the e-mail, or turn notifications off in your comment settings.",
        )
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return refusal(request, "This account no longer exists: it gets no e-mails.", 404)
    if request.method == "POST":
        flows.set_reply_notifications(user, False)
        return page(
            request,
            "message.html",
            {
                "message": "Done: you will no longer get an e-mail when someone replies to your "
                "comments.",
            },
        )
    return page(request, "unsubscribe.html", {})

"""What readers and moderators do with comments: plain functions that the views, the admin,
the tasks and the tests call (allauth's `internal/flows` shape)."""

import hashlib
import hmac
import re
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from wagtail.models import Site

from masthead.accounts.profiles import display_name  # noqa: F401 (the comments' name)
from masthead.caching.store import purge_on_commit, record
from masthead.comments.models import (
    BannedReader,
    Comment,
    CommentSettings,
    ModerationWord,
    ReaderPreference,
    Report,
)

MAX_LENGTH = 10_000
EDIT_MINUTES = 10


class CommentError(Exception):
    """A refusal a reader is told as it is."""


def comment_settings(article=None):
    """The site's comment settings, read and never created here: a page being built that
    created them would purge itself ("settings", caching/signals.py)."""
    record("settings")
    site = (article.get_site() if article is not None else None) or Site.objects.filter(
        is_default_site=True
    ).first()
    found = CommentSettings.objects.filter(site=site).first() if site else None
    return found or CommentSettings(site=site)


def closes_at(article, options=None):
    """When comments on this article close by the site's rule (None: never)."""
    options = options or comment_settings(article)
    if not options.close_after_days:
        return None
    return article.date + timedelta(days=options.close_after_days)


def why_closed(article, options=None):
    """Why no comment may be posted on this article now, or "" when one may."""
    if not article.is_published:
        return "This article is not published, so it cannot be commented on."
    if not article.comments_open:
        return "Comments on this article are closed."
    closing = closes_at(article, options)
    if closing is not None and closing <= timezone.now():
        return "Comments on this article are closed."
    return ""


def why_refused(user, article, options=None):
    """Why this reader may not comment on this article, or "" when they may."""
    if user is None or not user.is_authenticated:
        return "Log in to join the discussion."
    if BannedReader.objects.filter(user=user).exists():
        return "Your account may no longer comment."
    return why_closed(article, options)


def words_in(body):
    """The banned word and the suspect word the text contains ("" for none of either)."""
    banned = suspect = ""
    text = body.casefold()
    for word, kind in ModerationWord.objects.values_list("word", "kind"):
        if re.search(rf"(?<!\w){re.escape(word.casefold())}(?!\w)", text):
            if kind == ModerationWord.Kind.BANNED:
                banned = banned or word
            else:
                suspect = suspect or word
    return banned, suspect


def status_for(user, body, options):
    banned, suspect = words_in(body)
    if banned:
        return Comment.Status.REJECTED, ""
    if suspect:
        return Comment.Status.PENDING, suspect
    if options.moderation == CommentSettings.Moderation.ALL:
        return Comment.Status.PENDING, ""
    if options.moderation == CommentSettings.Moderation.FIRST and not (
        Comment.objects.filter(author=user, status=Comment.Status.APPROVED).exists()
    ):
        return Comment.Status.PENDING, ""
    return Comment.Status.APPROVED, ""


def address_hash(address):
    if not getattr(settings, "COMMENTS_KEEP_ADDRESS_HASH", False) or not address:
        return ""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()


def check_body(body):
    body = (body or "").strip()
    if not body:
        raise CommentError("Write something before you send your comment.")
    if len(body) > MAX_LENGTH:
        raise CommentError(
            f"A comment can be at most {MAX_LENGTH:,} characters long; yours has {len(body):,}."
        )
    return body


def post(user, article, body, parent_id=None, token="", address=""):
    """Post a comment (or a reply to `parent_id`) and return it. A token already used by this
    reader returns the comment it made, so a double submit makes one comment."""
    body = check_body(body)
    if token:
        earlier = Comment.objects.filter(author=user, token=token).first()
        if earlier is not None:
            return earlier
    options = comment_settings(article)
    refusal = why_refused(user, article, options)
    if refusal:
        raise CommentError(refusal)
    parent = answered = None
    if parent_id not in (None, ""):
        answered = comment_to_reply_to(article, parent_id)
        parent = answered.parent or answered  # a reply to a reply joins its thread
    status, held_for = status_for(user, body, options)
    try:
        with transaction.atomic():
            comment = Comment.objects.create(
                article=article,
                author=user,
                parent=parent,
                answered=answered,
                body=body,
                status=status,
                held_for=held_for,
                token=token[:64],
                address_hash=address_hash(address),
            )
    except IntegrityError:  # the same token, posted at the same moment
        return Comment.objects.get(author=user, token=token[:64])
    changed(comment)
    if status == Comment.Status.APPROVED:
        notify_on_commit(comment)
    elif status == Comment.Status.PENDING:
        schedule_digest_on_commit()
    return comment


def comment_to_reply_to(article, parent_id):
    try:
        parent = Comment.objects.get(pk=int(parent_id))
    except (ValueError, TypeError, Comment.DoesNotExist):
        raise CommentError("The comment you replied to does not exist (any more).") from None
    if parent.article_id != article.pk:
        raise CommentError("You can only reply to a comment on the same article.")
    if parent.status != Comment.Status.APPROVED or parent.removed:
        raise CommentError("The comment you replied to is no longer shown.")
    return parent


def own_comment(user, comment_id):
    try:
        comment = Comment.objects.select_related("article").get(pk=int(comment_id))
    except (ValueError, TypeError, Comment.DoesNotExist):
        raise CommentError("This comment does not exist (any more).") from None
    if user is None or comment.author_id != user.pk or comment.removed:
        raise CommentError("You can only change your own comments.")
    return comment


def editable_until(comment):
    return comment.created + timedelta(minutes=EDIT_MINUTES)


def can_edit(user, comment):
    return (
        user is not None
        and comment.author_id == user.pk
        and not comment.removed
        and timezone.now() < editable_until(comment)
    )


def edit(user, comment_id, body):
    comment = own_comment(user, comment_id)
    if timezone.now() >= editable_until(comment):
        raise CommentError(f"A comment can be edited for {EDIT_MINUTES} minutes after posting.")
    body = check_body(body)
    if body == comment.body:
        return comment
    banned, suspect = words_in(body)
    if banned:
        comment.status = Comment.Status.REJECTED
    elif suspect and comment.status == Comment.Status.APPROVED:
        comment.status, comment.held_for = Comment.Status.PENDING, suspect
        schedule_digest_on_commit()
    comment.body = body
    comment.edited = timezone.now()
    comment.save(update_fields=["body", "edited", "status", "held_for"])
    changed(comment)
    return comment


def delete(user, comment_id):
    """Delete one's own comment: gone, or "comment deleted" when it holds replies."""
    comment = own_comment(user, comment_id)
    if comment.replies.exists():
        comment.removed, comment.body = True, ""
        comment.save(update_fields=["removed", "body"])
    else:
        comment.delete()
    changed(comment)


def report(user, comment_id, reason=""):
    try:
        comment = Comment.objects.get(
            pk=int(comment_id), status=Comment.Status.APPROVED, removed=False
        )
    except (ValueError, TypeError, Comment.DoesNotExist):
        raise CommentError("This comment does not exist (any more).") from None
    if user is None or not user.is_authenticated:
        raise CommentError("Log in to report a comment.")
    if comment.author_id == user.pk:
        raise CommentError("You cannot report your own comment.")
    Report.objects.get_or_create(
        comment=comment, reporter=user, defaults={"reason": (reason or "")[:500]}
    )
    schedule_digest_on_commit()
    return comment


ACTIONS = {
    "approve": Comment.Status.APPROVED,
    "reject": Comment.Status.REJECTED,
    "spam": Comment.Status.SPAM,
}


def moderate(comment_ids, action):
    """Approve, reject or mark as spam; returns how many comments changed. Their reports are
    resolved: the moderator has seen them."""
    status = ACTIONS[action]
    ids = []
    for raw in comment_ids:
        try:
            ids.append(int(raw))
        except (TypeError, ValueError):
            continue
    with transaction.atomic():
        comments = list(Comment.objects.select_for_update().filter(pk__in=ids))
        newly_approved = [c for c in comments if c.status != status and status == "approved"]
        Comment.objects.filter(pk__in=[c.pk for c in comments]).update(status=status)
        Report.objects.filter(comment__in=comments).update(resolved=True)
        for comment in comments:
            changed(comment)
        for comment in newly_approved:
            comment.status = status
            notify_on_commit(comment)
    return len(comments)


def ban(user, reason=""):
    """The reader may no longer comment; what they wrote and is waiting goes to rejected."""
    BannedReader.objects.get_or_create(user=user, defaults={"reason": reason})
    waiting = Comment.objects.filter(author=user, status=Comment.Status.PENDING)
    articles = set(waiting.values_list("article_id", flat=True))
    waiting.update(status=Comment.Status.REJECTED)
    for article_id in articles:
        purge_article(article_id)


def changed(comment):
    purge_article(comment.article_id)


def purge_article(article_id):
    """The article's comments block, its page and every card with its count are stale."""
    purge_on_commit(f"comments:{article_id}")


def counts(article_ids):
    """Approved comments of each article. Called while cached parts are built (the block, the
    header's count, lists of cards), which record `comments:<id>`: a warm page asks nothing."""
    ids = list(dict.fromkeys(article_ids))
    found = dict(
        Comment.objects.filter(article_id__in=ids, status=Comment.Status.APPROVED, removed=False)
        .values("article_id")
        .annotate(n=Count("id"))
        .values_list("article_id", "n")
    )
    return {pk: found.get(pk, 0) for pk in ids}


def wants_reply_notifications(user):
    preference = ReaderPreference.objects.filter(user=user).first()
    return preference is None or preference.reply_notifications


def set_reply_notifications(user, on):
    ReaderPreference.objects.update_or_create(user=user, defaults={"reply_notifications": on})


def notify_on_commit(comment):
    if comment.parent_id is None:
        return
    from masthead.comments.tasks import notify_reply

    transaction.on_commit(lambda: notify_reply.enqueue(comment.pk))


def schedule_digest_on_commit():
    from masthead.comments.digest import schedule_digest

    transaction.on_commit(schedule_digest)


def reader_comments(user):
    """What a reader wrote, for the export of their data."""
    return [
        {
            "id": comment.pk,
            "article": comment.article.title,
            "article_url": comment.article.full_url,
            "in_reply_to": comment.parent_id,
            "body": comment.body,
            "status": comment.status,
            "created": comment.created.isoformat(),
            "edited": comment.edited.isoformat() if comment.edited else None,
        }
        for comment in Comment.objects.filter(author=user, removed=False)
        .select_related("article")
        .order_by("created")
    ]


def account_deleted(user):
    """Before a reader's account goes: their comments go too, or stay as from a deleted
    account (the foreign key then empties itself), as the site setting says."""
    comments = Comment.objects.filter(author=user)
    for article_id in set(comments.values_list("article_id", flat=True)):
        purge_article(article_id)
    if comment_settings().deleted_accounts == CommentSettings.DeletedAccounts.REMOVE:
        with_replies = comments.filter(replies__isnull=False).distinct()
        with_replies.update(removed=True, body="")
        comments.exclude(pk__in=with_replies.values("pk")).delete()

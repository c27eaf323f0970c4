from django.conf import settings
from django.core import signing
from django.urls import reverse
from django_tasks import task

from masthead.comments.flows import display_name, wants_reply_notifications
from masthead.comments.models import Comment
from masthead.core.tasks import send_once

UNSUBSCRIBE_SALT = "comments.unsubscribe"


def absolute_url(path):
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_url(user):
    token = signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT)
    return absolute_url(reverse("comments:unsubscribe", args=[token]))


@task(backend="worker")
def notify_reply(comment_id):
    """E-mail the reader who was answered, and the thread's author, that someone replied:
    once per reply and reader, however often the task runs (the e-mail's key says both)."""
    reply = (
        Comment.objects.select_related("parent__author", "answered__author", "author", "article")
        .filter(pk=comment_id, status=Comment.Status.APPROVED, removed=False)
        .first()
    )
    if reply is None or reply.parent is None:
        return
    readers = [reply.answered.author if reply.answered else None, reply.parent.author]
    told = set()
    for reader in readers:
        if reader is None or not reader.email or reader.pk in told | {reply.author_id}:
            continue
        told.add(reader.pk)
        if wants_reply_notifications(reader):
            send_reply_email(reply, reader)


def send_reply_email(reply, reader):
    link = reply.article.full_url + f"#comment-{reply.pk}"
    elsewhere_in_thread = reply.answered_id not in (None, reply.parent_id)
    mine = not elsewhere_in_thread or reply.answered.author_id == reader.pk
    where = "your comment" if mine else "a comment in your thread"
    body = (
        f"{display_name(reply.author)} replied to {where} on “{reply.article.title}”:\n\n"
        f"{reply.body[:1000]}\n\n"
        f"Read it: {link}\n\n"
        f"You receive this because you commented there. No more of these e-mails:\n"
        f"{unsubscribe_url(reader)}\n"
    )
    send_once(
        f"comment-reply:{reply.pk}:{reader.pk}",
        f"New reply to your comment: {reply.article.title}",
        body,
        [reader.email],
    )

"""What editors do in the newsroom: plain functions the views, the workflow task and the tests
call (allauth's `internal/flows` shape)."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import log

from masthead.newsroom.models import DraftShare

SHARE_SALT = "masthead.newsroom.draft-share"
# A signed share id is some 40 characters; anything much longer is not one of ours.
MAX_TOKEN_LENGTH = 200


class ShareError(Exception):
    """A draft link that does not open a draft; `status` is the answer (404 or 410)."""

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


def assign_review(state, user, assignee, due_date=None, comment=""):
    """Name the reviewer of a section desk review, and the day it is due."""
    from masthead.newsroom.tasks import notify_review

    state.assignee, state.due_date = assignee, due_date
    state.save(update_fields=["assignee", "due_date"])
    log(
        instance=state.workflow_state.content_object,
        action="newsroom.assign_review",
        user=user,
        data={
            "assignee": assignee.pk,
            "assignee_name": assignee.get_full_name() or assignee.email,
            "due_date": due_date.isoformat() if due_date else None,
            "comment": comment,
        },
    )
    transaction.on_commit(lambda: notify_review.enqueue(state.pk, "assigned"))


def share_days():
    return settings.DRAFT_SHARE_DAYS


def create_share(page, user):
    """A new link to `page`'s latest draft, valid for DRAFT_SHARE_DAYS; returns (share, url)."""
    now = timezone.now()
    share = DraftShare.objects.create(
        page=page, created_by=user, created_at=now, expires_at=now + timedelta(days=share_days())
    )
    log(instance=page, action="newsroom.share_draft", user=user, data={"share": share.pk})
    return share, share_url(share)


def share_url(share):
    token = signing.dumps(share.pk, salt=SHARE_SALT)
    return settings.SITE_URL.rstrip("/") + reverse("newsroom:draft", args=[token])


def revoke_share(share, user):
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at"])
        log(
            instance=share.page, action="newsroom.revoke_draft", user=user, data={"share": share.pk}
        )


def open_share(token):
    """The DraftShare a token opens, or ShareError: 404 for a token that is not ours, 410 for
    one expired or revoked."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise ShareError("This is not a draft link.", 404)
    try:
        share_id = signing.loads(token, salt=SHARE_SALT, max_age=timedelta(days=share_days()))
    except signing.SignatureExpired:
        raise ShareError(
            "This draft link has expired. Ask the newsroom for a new one.", 410
        ) from None
    except signing.BadSignature:
        raise ShareError("This is not a draft link.", 404) from None
    share = DraftShare.objects.select_related("page").filter(pk=share_id).first()
    if share is None:
        raise ShareError("This is not a draft link.", 404)
    if share.revoked_at is not None:
        raise ShareError("This draft link has been withdrawn by the newsroom.", 410)
    if share.expires_at <= timezone.now():
        raise ShareError("This draft link has expired. Ask the newsroom for a new one.", 410)
    return share

"""The editors' digest of what waits for moderation: a task that schedules its next run itself
(`run_at`, no cron), and at most one waiting per period (DigestRun's unique period)."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from masthead.comments.models import Comment, DigestRun, Report
from masthead.core.tasks import send_once

logger = logging.getLogger(__name__)


def period_hours():
    return int(getattr(settings, "COMMENTS_DIGEST_HOURS", 24))


def next_period(now=None):
    """The start of the next period (periods are counted from midnight UTC)."""
    now = now or timezone.now()
    hours = period_hours()
    midnight = datetime.combine(now.date(), datetime.min.time(), tzinfo=now.tzinfo)
    elapsed = int((now - midnight).total_seconds() // 3600)
    return midnight + timedelta(hours=(elapsed // hours + 1) * hours)


def schedule_digest(now=None):
    """Schedule the digest of the coming period unless it is scheduled already."""
    period = next_period(now)
    if not send_digest.get_backend().supports_defer:
        logger.warning("The task backend cannot send the comments digest later, at %s", period)
        return None
    try:
        with transaction.atomic():
            run = DigestRun.objects.create(period=period)
    except IntegrityError:
        return None
    result = send_digest.using(run_after=period).enqueue(period.isoformat())
    DigestRun.objects.filter(pk=run.pk).update(task_id=str(result.id))
    return run


def moderators():
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    return users.filter(
        Q(is_superuser=True)
        | Q(user_permissions__codename="change_comment")
        | Q(groups__permissions__codename="change_comment")
    ).distinct()


def digest_text():
    pending = Comment.objects.filter(status=Comment.Status.PENDING).count()
    reported = Report.objects.filter(resolved=False).values("comment").distinct().count()
    if not pending and not reported:
        return ""
    admin = settings.SITE_URL.rstrip("/") + reverse("comments_admin:queue")
    return (
        f"Waiting for moderation: {pending} comment{'s' if pending != 1 else ''} pending, "
        f"{reported} reported.\n\nModerate them: {admin}\n"
    )


@task(backend="worker")
def send_digest(period):
    """E-mail the moderators what waits (nothing when nothing does), once for this period,
    then schedule the next period's digest."""
    text = digest_text()
    to = list(moderators().values_list("email", flat=True))
    if text and to:
        send_once(f"comments-digest:{period}", "Comments waiting for moderation", text, to)
    if text:  # the next one, after this period (when the task ran early, after it all the same)
        schedule_digest(now=max(timezone.now(), datetime.fromisoformat(period)))

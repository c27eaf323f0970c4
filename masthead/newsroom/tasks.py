from django.conf import settings
from django.urls import reverse
from django_tasks import task

from masthead.core.tasks import send_once
from masthead.newsroom import desks


def admin_url(name, *args):
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


def person(user):
    if user is None:
        return "Someone"
    return user.get_full_name() or user.email or user.get_username()


@task(backend="worker")
def notify_review(task_state_id, event):
    """E-mail those a review step concerns: its reviewers when an article is submitted, the
    assignee when named, the writer when it is sent back or approved. Once per event and
    person, however often the task runs."""
    from masthead.newsroom.models import SectionReviewState

    state = (
        SectionReviewState.objects.select_related(
            "workflow_state__requested_by", "assignee", "finished_by"
        )
        .filter(pk=task_state_id)
        .first()
    )
    if state is None:
        return
    page = state.workflow_state.content_object
    if page is None:
        return
    writer = state.workflow_state.requested_by
    edit = admin_url("wagtailadmin_pages:edit", page.pk)
    title = page.get_latest_revision_as_object().title
    comment = state.get_comment()
    if event == "submitted":
        subject = f"Waiting for your review: {title}"
        body = (
            f"{person(writer)} submitted “{title}” for the section desk's review.\n\n"
            f"Review it: {edit}\n"
        )
        recipients = [user for user in desks.reviewers(page) if user != writer]
    elif event == "assigned":
        due = f", by {state.due_date:%A %d %B %Y}" if state.due_date else ""
        subject = f"Assigned to you: {title}"
        body = f"You are asked to review “{title}”{due}.\n\nReview it: {edit}\n"
        recipients = [state.assignee] if state.assignee else []
    elif event == "rejected":
        subject = f"Sent back: {title}"
        body = (
            f"{person(state.finished_by)} sent “{title}” back to you with this comment:\n\n"
            f"{comment or '(no comment)'}\n\nEdit it: {edit}\n"
        )
        recipients = [writer] if writer else []
    elif event == "approved":
        subject = f"Approved and published: {title}"
        body = f"{person(state.finished_by)} approved “{title}”: it is published.\n\n"
        if comment:
            body += f"Their comment:\n\n{comment}\n\n"
        body += f"The page in the admin: {edit}\n"
        recipients = [writer] if writer else []
    else:
        raise ValueError(f"Unknown review event {event!r}")
    for user in recipients:
        if user.email:
            send_once(f"newsroom:{event}:{state.pk}:{user.pk}", subject, body, [user.email])

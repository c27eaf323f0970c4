from django.db import transaction
from wagtail.signals import task_approved, task_rejected, task_submitted


def notify_on_commit(event):
    def receiver(sender, instance, **kwargs):
        from masthead.newsroom.tasks import notify_review

        transaction.on_commit(lambda: notify_review.enqueue(instance.pk, event))

    return receiver


notify_submitted = notify_on_commit("submitted")
notify_rejected = notify_on_commit("rejected")
notify_approved = notify_on_commit("approved")


def section_created(sender, instance, created, raw=False, **kwargs):
    """A section created directly below a home page gets its desk."""
    from masthead.newsroom.desks import SECTION_DEPTH, ensure_desk

    if created and not raw and instance.depth == SECTION_DEPTH:
        ensure_desk(instance)


def connect():
    from django.db.models.signals import post_save

    from masthead.newsroom.models import SectionReviewState
    from masthead.sections.models import SectionPage

    task_submitted.connect(notify_submitted, sender=SectionReviewState)
    task_rejected.connect(notify_rejected, sender=SectionReviewState)
    task_approved.connect(notify_approved, sender=SectionReviewState)
    post_save.connect(section_created, sender=SectionPage, dispatch_uid="newsroom_desk")


def disconnect_wagtail_workflow_emails():
    """Wagtail e-mails the writer and the superusers about every workflow from inside the
    editor's request; the newsroom's own e-mails (tasks.py) say the same through the worker,
    so Wagtail's are switched off rather than sent twice."""
    from wagtail.models import WorkflowState
    from wagtail.signals import workflow_approved, workflow_rejected, workflow_submitted

    for signal, uid in (
        (workflow_submitted, "workflow_state_submitted_email_notification"),
        (workflow_rejected, "workflow_state_rejected_email_notification"),
        (workflow_approved, "workflow_state_approved_email_notification"),
    ):
        signal.disconnect(sender=WorkflowState, dispatch_uid=uid)

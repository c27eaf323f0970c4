from django.conf import settings
from django.db import models
from django.utils import timezone
from wagtail.models import Task, TaskState

from masthead.newsroom import desks


class SectionReviewState(TaskState):
    """A section desk review of one submission: who is to review it, and by when."""

    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_date = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "section desk review"


class SectionDeskReviewTask(Task):
    """Review by the desk of the article's section: its section editors (those who may publish
    in the section) approve, which publishes it, or send it back with a comment; the writer
    cannot edit it meanwhile. One of them may be named the assignee, with a due date."""

    task_state_class = SectionReviewState

    def can_review(self, page, user):
        return desks.can_review(page, user)

    def user_can_access_editor(self, obj, user):
        return self.can_review(obj, user)

    def locked_for_user(self, obj, user):
        return not self.can_review(obj, user)

    def user_can_lock(self, obj, user):
        return self.can_review(obj, user)

    def get_actions(self, obj, user):
        if not self.can_review(obj, user):
            return []
        return [
            ("reject", "Send back with a comment", True),
            ("approve", "Approve", False),
            ("approve", "Approve with a comment", True),
            ("assign", "Assign a reviewer and due date", True),
        ]

    def get_form_for_action(self, action):
        if action == "assign":
            from masthead.newsroom.forms import AssignReviewForm

            return AssignReviewForm
        return super().get_form_for_action(action)

    def on_action(self, task_state, user, action_name, **kwargs):
        if action_name == "assign":
            from masthead.newsroom.flows import assign_review

            assign_review(task_state.specific, user, **kwargs)
            return None
        return super().on_action(task_state, user, action_name, **kwargs)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS)
        if user.is_superuser:
            return states
        return states.filter(workflow_state__object_id__in=desks.reviewable_page_ids(user))

    @classmethod
    def get_description(cls):
        return "The section editors of the article's section approve and publish it"

    class Meta:
        verbose_name = "section desk review"


class DraftShare(models.Model):
    """A link to a page's latest draft for someone without an account; see share.py."""

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Draft link to page {self.page_id}, until {self.expires_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self):
        return self.revoked_at is None and self.expires_at > timezone.now()

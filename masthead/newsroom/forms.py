from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from masthead.core.forms import reject_control_characters


def possible_reviewers():
    """Active users granted publishing on some page: the ones a review can be assigned to."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True) | Q(groups__page_permissions__permission__codename="publish_page")
        )
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


class ReviewerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.email or user.get_username()


class AssignReviewForm(forms.Form):
    assignee = ReviewerChoiceField(queryset=possible_reviewers(), label="Reviewer")
    due_date = forms.DateField(
        required=False,
        label="Due date",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The day the review should be done by (optional).",
    )
    comment = forms.CharField(
        required=False,
        max_length=2000,
        label="Note to the reviewer",
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_control_characters],
    )

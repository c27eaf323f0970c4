import secrets

from django import forms

from masthead.comments.flows import MAX_LENGTH
from masthead.core.forms import PublicForm


class CommentForm(PublicForm):
    rate_limit = "comment_post"

    body = forms.CharField(
        label="Your comment",
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MAX_LENGTH}),
        max_length=MAX_LENGTH,
        strip=True,
        error_messages={
            "required": "Write something before you send your comment.",
            "max_length": f"A comment can be at most {MAX_LENGTH:,} characters long "
            "(yours has %(show_value)s).",
        },
    )
    reply_to = forms.CharField(required=False, widget=forms.HiddenInput)
    token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", secrets.token_urlsafe(24))


class EditForm(PublicForm):
    body = CommentForm.base_fields["body"]


class ReportForm(PublicForm):
    reason = forms.CharField(
        label="What is wrong with this comment?",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NotificationsForm(forms.Form):
    reply_notifications = forms.BooleanField(
        label="E-mail me when someone replies to my comments", required=False
    )

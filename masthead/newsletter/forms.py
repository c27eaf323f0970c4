from django import forms

from masthead.core.forms import PublicForm
from masthead.newsletter.subscribing import EMAIL_MAX_LENGTH, SubscribeError, normalise_email

GONE = "A newsletter you chose no longer exists. Please choose from the newsletters shown."


class ListsField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "error_messages",
            {"required": "Choose at least one newsletter.", "invalid_choice": GONE},
        )
        super().__init__(**kwargs)


def list_choices(lists):
    return [(str(newsletter.pk), newsletter.name) for newsletter in lists]


class SignupForm(PublicForm):
    """An address and a choice of lists. It is rendered into cached pages for every reader,
    so it carries no CSRF token (views.subscribe says why none is needed)."""

    email = forms.CharField(
        label="Your e-mail address",
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "maxlength": EMAIL_MAX_LENGTH}),
        error_messages={
            "required": "Enter your e-mail address.",
            "max_length": f"An e-mail address has at most {EMAIL_MAX_LENGTH} characters "
            "(this one has %(show_value)s).",
        },
    )
    lists = ListsField(label="Newsletters")

    def __init__(self, *args, lists=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lists"].choices = list_choices(lists)
        if not self.is_bound and lists:
            self.initial.setdefault("lists", [str(lists[0].pk)])

    def clean_email(self):
        try:
            return normalise_email(self.cleaned_data["email"])
        except SubscribeError as error:
            raise forms.ValidationError(str(error), code="email") from None


class AccountSubscribeForm(forms.Form):
    lists = ListsField(label="Newsletters")

    def __init__(self, *args, lists=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lists"].choices = list_choices(lists)


class PreferencesForm(forms.Form):
    lists = ListsField(label="The newsletters you receive", required=False)

    def __init__(self, *args, lists=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lists"].choices = list_choices(lists)


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="One address a line, in a column named email (or the first column); an "
        "optional column lists holds list names or slugs separated by ;",
    )
    lists = forms.ModelMultipleChoiceField(
        label="Put them on these newsletters",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="For rows without a lists column.",
    )
    consented = forms.BooleanField(
        label="These people have consented to receive these newsletters",
        required=False,
        help_text="Ticked, the addresses are subscribed at once; otherwise each gets the "
        "confirmation e-mail and is subscribed only once its owner confirms.",
    )

    def __init__(self, *args, **kwargs):
        from masthead.newsletter.models import NewsletterList

        super().__init__(*args, **kwargs)
        self.fields["lists"].queryset = NewsletterList.objects.filter(archived=False)

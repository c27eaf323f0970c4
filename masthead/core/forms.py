"""What every form a reader can post shares: plain text only, and a trap for robots."""

import re

from django import forms
from django.core.exceptions import ValidationError

MARKUP = re.compile(r"<\s*[a-zA-Z!/?]")


def reject_markup(value):
    if isinstance(value, str) and MARKUP.search(value):
        raise ValidationError(
            "Please write plain text: tags such as <script> are not accepted here.",
            code="markup",
        )


class PublicForm(forms.Form):
    """A form open to anyone. Text fields refuse markup; `homepage` is a honeypot that people
    never see (hidden by CSS, skipped by keyboard and screen readers) and robots fill in."""

    honeypot = "homepage"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # labels sit above their fields: no colon
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and reject_markup not in field.validators:
                field.validators.append(reject_markup)
        self.fields[self.honeypot] = forms.CharField(
            required=False,
            label="Leave this field empty",
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )

    @property
    def is_spam(self):
        return bool(self.data.get(self.honeypot))


class PublicModelForm(PublicForm, forms.ModelForm):
    pass

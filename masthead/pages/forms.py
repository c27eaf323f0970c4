"""The forms of the contact and advertise pages: plain text, kept as typed when refused."""

from django import forms
from django.utils import timezone

from masthead.core.forms import PublicModelForm, day_field, validate_phone
from masthead.pages.models import AdvertisingEnquiry, ContactMessage


class ContactForm(PublicModelForm):
    rate_limit = "contact"

    class Meta:
        model = ContactMessage
        fields = ["name", "email", "subject", "message"]
        labels = {"name": "Your name", "email": "Your e-mail address", "message": "Your message"}
        help_texts = {"email": "We reply to this address and use it for nothing else."}
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "message": forms.Textarea(attrs={"rows": 8}),
        }


class AdvertisingEnquiryForm(PublicModelForm):
    rate_limit = "contact"  # one allowance for the two forms together
    placements = forms.MultipleChoiceField(
        label="Placements wanted",
        choices=AdvertisingEnquiry.PLACEMENTS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one placement."},
    )
    start_date = day_field(label="Start date (optional)", required=False)
    end_date = day_field(label="End date (optional)", required=False)

    class Meta:
        model = AdvertisingEnquiry
        fields = [
            "company",
            "name",
            "email",
            "phone",
            "budget",
            "placements",
            "start_date",
            "end_date",
            "message",
        ]
        labels = {
            "name": "Contact name",
            "email": "E-mail address",
            "phone": "Phone (optional)",
            "budget": "Budget",
            "message": "Anything else we should know (optional)",
        }
        widgets = {
            "company": forms.TextInput(attrs={"autocomplete": "organization"}),
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
            "message": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget"].choices = [("", "Choose a range"), *AdvertisingEnquiry.BUDGETS]

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        if phone:
            validate_phone(phone)
        return phone

    def clean_date(self, name):
        date = self.cleaned_data.get(name)
        if date and date < timezone.localdate():
            raise forms.ValidationError("This date is in the past: choose today or later.")
        return date

    def clean_start_date(self):
        return self.clean_date("start_date")

    def clean_end_date(self):
        return self.clean_date("end_date")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date comes before the start date.")
        return cleaned

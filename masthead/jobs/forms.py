"""The board's filters, and the public form through which organisations submit a listing."""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from PIL import Image

from masthead.core.forms import PublicForm, day_field
from masthead.jobs.models import Scholarship, Vacancy

SORTS = [("newest", "Newest first"), ("closing", "Closing soonest")]
LOGO_TYPES = {"JPEG", "PNG", "GIF", "WEBP"}
LOGO_MAX_SIDE = 4000
LOGO_ACCEPT = "image/jpeg,image/png,image/gif,image/webp"


class BoardFilters(forms.Form):
    """?q=&sort=&type=… of a board; a value not among the choices is dropped with a note."""

    q = forms.CharField(required=False, max_length=200, label="Search")
    sort = forms.ChoiceField(required=False, choices=SORTS, label="Order")

    def __init__(self, data, choices):
        super().__init__(data, label_suffix="")
        for name, (label, options) in choices.items():
            self.fields[name] = forms.ChoiceField(
                required=False, label=label, choices=[("", "All"), *options]
            )
        self.fields["sort"] = self.fields.pop("sort")  # the order after the filters

    def values(self):
        """The valid values, and notes on the ones left out."""
        self.is_valid()
        values = {name: self.cleaned_data.get(name) or "" for name in self.fields}
        notes = []
        for name in self.errors:
            label = self.fields[name].label
            notes.append(f"{label}: that value is not one of the choices, so it was left out.")
            values[name] = ""
            if name == "q":
                values["q"] = self.data.get("q", "")[: self.fields["q"].max_length]
        return values, notes


def closing_date_field():
    return day_field(
        label="Closing date",
        help_text="The last day to apply, within a year: day/month/year, such as 31/12/2026.",
    )


class ListingSubmission(PublicForm):
    """What every submitted listing gives: who offers it, until when, how to apply, and who is
    submitting it (told of the editors' decision, never shown)."""

    rate_limit = "jobs_submit"

    organisation_name = forms.CharField(max_length=200)
    organisation_website = forms.URLField(required=False, max_length=500, assume_scheme="https")
    logo = forms.ImageField(
        required=False,
        help_text="JPEG, PNG, GIF or WebP, up to 2 MB.",
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}
        ),
    )
    title = forms.CharField(max_length=200)
    summary = forms.CharField(
        max_length=300, required=False, help_text="One or two sentences for the lists."
    )
    closing_date = closing_date_field()
    description = forms.CharField(widget=forms.Textarea, max_length=10_000)
    apply_url = forms.URLField(
        label="Apply online at", required=False, max_length=500, assume_scheme="https"
    )
    apply_email = forms.EmailField(label="Or apply by e-mail to", required=False)
    submitter_name = forms.CharField(label="Your name", max_length=200)
    submitter_email = forms.EmailField(
        label="Your e-mail address",
        help_text="We tell you here when an editor approves or declines the listing. "
        "It is not published.",
    )

    fieldsets = [
        ("The organisation", ["organisation_name", "organisation_website", "logo"]),
        ("The listing", None),  # every field not named in another fieldset
        ("How to apply", ["apply_url", "apply_email"]),
        ("About you", ["submitter_name", "submitter_email"]),
    ]

    def grouped_fields(self):
        """(legend, bound fields) for each fieldset; the honeypot goes with the last one."""
        named = {name for _, names in self.fieldsets if names for name in names}
        return [
            (
                legend,
                [self[name] for name in names]
                if names
                else [
                    field
                    for field in self.visible_fields()
                    if field.name not in named and field.name != self.honeypot
                ],
            )
            for legend, names in self.fieldsets
        ]

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if not logo:
            return logo
        if logo.size > settings.JOBS_LOGO_MAX_BYTES:
            raise ValidationError(
                f"The logo is {logo.size / 1024 / 1024:.1f} MB: "
                f"up to {settings.JOBS_LOGO_MAX_BYTES // 1024 // 1024} MB, please."
            )
        logo.seek(0)
        with Image.open(logo) as image:  # ImageField has already checked it is a picture
            kind, (width, height) = image.format, image.size
        logo.seek(0)
        if kind not in LOGO_TYPES:
            raise ValidationError("The logo must be a JPEG, PNG, GIF or WebP picture.")
        if max(width, height) > LOGO_MAX_SIDE:
            raise ValidationError(
                f"The logo is {width}×{height} px: at most {LOGO_MAX_SIDE} a side."
            )
        return logo

    def clean_closing_date(self):
        date = self.cleaned_data["closing_date"]
        today = timezone.localdate()
        if date < today:
            raise ValidationError("This date has passed: the closing date is today or later.")
        if date > today + timedelta(days=366):
            raise ValidationError("Listings run for a year at most: choose an earlier date.")
        return date

    def clean(self):
        cleaned = super().clean()
        if not (
            cleaned.get("apply_url")
            or cleaned.get("apply_email")
            or self.errors.get("apply_url")
            or self.errors.get("apply_email")
        ):
            self.add_error("apply_url", "Give a web address or an e-mail address to apply to.")
        return cleaned


class VacancySubmission(ListingSubmission):
    employment_type = forms.ChoiceField(choices=Vacancy.EMPLOYMENT_TYPES)
    workplace = forms.ChoiceField(choices=Vacancy.WORKPLACES, label="Where the work is done")
    location = forms.CharField(max_length=120, required=False, help_text="Town or region.")
    country = forms.CharField(max_length=80, required=False)
    salary_min = forms.DecimalField(
        label="Salary from", required=False, min_value=0, max_digits=12, decimal_places=0
    )
    salary_max = forms.DecimalField(
        label="Salary up to", required=False, min_value=0, max_digits=12, decimal_places=0
    )
    salary_currency = forms.RegexField(
        label="Currency",
        regex=r"^[A-Za-z]{3}$",
        required=False,
        max_length=3,
        error_messages={"invalid": "Three letters, such as GHS, USD or EUR."},
    )
    salary_period = forms.ChoiceField(choices=Vacancy.PERIODS, required=False, label="Paid")

    field_order = [
        "organisation_name", "organisation_website", "logo", "title", "summary",
        "employment_type", "workplace", "location", "country", "salary_min", "salary_max",
        "salary_currency", "salary_period", "closing_date", "description",
        "apply_url", "apply_email", "submitter_name", "submitter_email",
    ]  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("salary_min"), cleaned.get("salary_max")
        if low and high and low > high:
            self.add_error("salary_max", "The top of the range is below its bottom.")
        if (
            (low or high)
            and not cleaned.get("salary_currency")
            and "salary_currency" not in self.errors
        ):
            self.add_error("salary_currency", "Give the salary's currency.")
        if cleaned.get("workplace") != "remote" and not (
            cleaned.get("location") or cleaned.get("country")
        ):
            self.add_error("location", "Say where the work is, or choose Remote.")
        if cleaned.get("salary_currency"):
            cleaned["salary_currency"] = cleaned["salary_currency"].upper()
        return cleaned


class ScholarshipSubmission(ListingSubmission):
    level = forms.ChoiceField(choices=Scholarship.LEVELS)
    field_of_study = forms.CharField(max_length=120, help_text="Such as 'Engineering' or 'Any'.")
    country = forms.CharField(max_length=80, help_text="Where the studies take place.")
    funding = forms.CharField(label="Amount or coverage", max_length=200)
    eligibility = forms.CharField(widget=forms.Textarea, max_length=5_000, required=False)

    field_order = [
        "organisation_name", "organisation_website", "logo", "title", "summary", "level",
        "field_of_study", "country", "funding", "closing_date", "description", "eligibility",
        "apply_url", "apply_email", "submitter_name", "submitter_email",
    ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fieldsets = [("The institution", self.fieldsets[0][1]), *self.fieldsets[1:]]
        self.fields["organisation_name"].label = "Institution"
        self.fields["organisation_website"].label = "Institution's website"

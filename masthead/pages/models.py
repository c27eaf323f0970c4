import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, validate_email
from django.db import models
from django.shortcuts import redirect
from django.template.defaultfilters import linebreaks_filter
from django.template.response import TemplateResponse
from django.utils import timezone
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from masthead.articles.blocks import ImageBlock, QuoteBlock
from masthead.core.forms import form_response, take_submission
from masthead.core.methods import FORM_METHODS
from masthead.core.models import SocialFields, ViewRestrictionsFromCache
from masthead.core.templatetags.dates import news_date
from masthead.pages.tasks import email_to_recipients


class StandardPageBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        features=["bold", "italic", "link", "ol", "ul", "h3", "h4"],
        template="blocks/paragraph.html",
    )
    subheading = blocks.CharBlock(
        max_length=255, icon="title", form_classname="title", template="blocks/subheading.html"
    )
    image = ImageBlock()
    quote = QuoteBlock()


class StandardPage(ViewRestrictionsFromCache, SocialFields, Page):
    """An editable page such as About, Advertise, Privacy Policy or Contact."""

    intro = models.TextField(blank=True, max_length=600)
    body = StreamField(StandardPageBodyBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    promote_panels = [*Page.promote_panels, *SocialFields.social_panels]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["sections.HomePage", "pages.StandardPage"]
    subpage_types = ["pages.StandardPage"]

    class Meta:
        verbose_name = "standard page"


# ------------------------------------------------------------------ pages with a form for readers


def email_addresses(text):
    """The addresses in an editor's list: one a line (commas and semicolons work too)."""
    return [address for address in re.split(r"[\s,;]+", text) if address]


def validate_email_addresses(text):
    addresses = email_addresses(text)
    if not addresses:
        raise ValidationError("Give at least one e-mail address.")
    wrong = []
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            wrong.append(address)
    if wrong:
        raise ValidationError("Not e-mail addresses: %(wrong)s", params={"wrong": ", ".join(wrong)})


class FormPage(models.Model):
    """A standard page with a form for readers: what they send is stored, listed in the admin
    (Messages) and e-mailed to the page's recipients, never to the address they typed."""

    recipients = models.TextField(
        validators=[validate_email_addresses],
        help_text="Who receives each message by e-mail: one address a line. Replies go to the "
        "sender.",
    )
    confirmation = models.TextField(
        max_length=1000,
        default="Thank you: your message has reached us, and we will reply as soon as we can.",
        help_text="Shown in place of the form once a message is sent.",
    )

    form_panels = [
        MultiFieldPanel([FieldPanel("recipients"), FieldPanel("confirmation")], heading="The form")
    ]
    subpage_types = []
    # A PublicModelForm for the model that stores what readers send. Subclasses import it when
    # asked, since forms.py imports this module.
    form_class = None
    form_heading = ""
    submit_label = "Send"
    allowed_methods = FORM_METHODS

    class Meta:
        abstract = True

    def recipient_list(self):
        return email_addresses(self.recipients)

    def serve(self, request, *args, **kwargs):
        form = self.form_class(request.POST if request.method == "POST" else None)
        submission = take_submission(request, form, self.keep)
        if submission.sent:
            return redirect(self.url + "?sent=1")
        context = self.get_context(request, *args, **kwargs)
        context.update(form=form, sent=request.method != "POST" and request.GET.get("sent") == "1")
        return form_response(
            TemplateResponse(request, self.get_template(request), context), submission
        )

    def keep(self, form):
        form.instance.page = self
        form.instance.recipients = "\n".join(self.recipient_list())
        entry = form.save()
        email_to_recipients.enqueue(entry._meta.label, entry.pk)


class ContactPage(FormPage, StandardPage):  # noqa: DJ008 (Page gives the title)
    content_panels = [*StandardPage.content_panels, *FormPage.form_panels]
    template = "pages/form_page.html"
    form_heading = "Write to us"
    submit_label = "Send message"

    class Meta:
        verbose_name = "contact page"

    @property
    def form_class(self):
        from masthead.pages.forms import ContactForm

        return ContactForm


class AdvertisePage(FormPage, StandardPage):  # noqa: DJ008 (Page gives the title)
    content_panels = [*StandardPage.content_panels, *FormPage.form_panels]
    template = "pages/form_page.html"
    form_heading = "Tell us about your campaign"
    submit_label = "Send enquiry"

    class Meta:
        verbose_name = "advertise page"

    @property
    def form_class(self):
        from masthead.pages.forms import AdvertisingEnquiryForm

        return AdvertisingEnquiryForm


# ------------------------------------------------------------------ what readers send


class ReaderMessage(models.Model):
    """What every message sent through a FormPage keeps: who sent it, through which page, to
    whom it was e-mailed and whether that e-mail went out."""

    name = models.CharField("name", max_length=100)
    email = models.EmailField("e-mail address", max_length=254)
    page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="sent through",
    )
    recipients = models.TextField(
        help_text="Where it is e-mailed: the page's recipients when it was sent, one a line."
    )
    created_at = models.DateTimeField("received", auto_now_add=True, db_index=True)
    emailed_at = models.DateTimeField(
        "e-mailed", null=True, blank=True, help_text="Empty while the e-mail has not gone out."
    )

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]
        # Readers write these; editors read and delete them (see wagtail_hooks.py).
        default_permissions = ("view", "delete")

    def recipient_list(self):
        return email_addresses(self.recipients)

    # How the admin's inspect view shows the message: the reader's paragraphs kept, escaped.
    def get_message_display(self):
        return linebreaks_filter(self.message)

    def email_lines(self):
        """The fields, label and value, for the e-mail."""
        raise NotImplementedError

    def email_body(self):
        # One line each: a line break in a value must not start a line (a "Bcc:") of its own.
        lines = [f"{label}: {one_line(value)}" for label, value in self.email_lines() if value]
        if self.message:
            lines += ["", self.message]
        lines += ["", "--"]
        where = f" through {self.page.title} ({self.page.full_url})" if self.page else ""
        sent = timezone.localtime(self.created_at)
        lines.append(
            f"Sent{where} on {news_date(sent.date())} at {sent:%H:%M}. "
            f"Reply to this e-mail to answer {one_line(self.name)}."
        )
        return "\n".join(lines) + "\n"


class ContactMessage(ReaderMessage):
    subject = models.CharField(max_length=200)
    message = models.TextField(max_length=5000)

    class Meta(ReaderMessage.Meta):
        verbose_name = "contact message"

    def __str__(self):
        return f"{self.subject} ({self.name})"

    def email_subject(self):
        return one_line(f"Contact: {self.subject}")

    def email_lines(self):
        return [("From", f"{self.name} <{self.email}>"), ("Subject", self.subject)]


class AdvertisingEnquiry(ReaderMessage):
    BUDGETS = [
        ("under-1000", "Under 1,000 a month"),
        ("1000-5000", "1,000 to 5,000 a month"),
        ("5000-20000", "5,000 to 20,000 a month"),
        ("over-20000", "Over 20,000 a month"),
        ("undecided", "Not decided yet"),
    ]
    PLACEMENTS = [
        ("homepage-banner", "Homepage banner"),
        ("section-banner", "Section banner"),
        ("in-article", "In-article"),
        ("newsletter", "Newsletter"),
        ("sponsored-article", "Sponsored article"),
        ("jobs-listing", "Jobs board listing"),
    ]

    company = models.CharField(max_length=150)
    phone = models.CharField(
        max_length=40,
        blank=True,
        validators=[
            RegexValidator(
                r"^\+?[0-9][0-9 ()./-]{5,}$",
                "Write a phone number with digits, spaces and + ( ) - only.",
            )
        ],
    )
    budget = models.CharField(max_length=20, choices=BUDGETS)
    placements = models.JSONField(default=list, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    message = models.TextField(max_length=5000, blank=True)

    class Meta(ReaderMessage.Meta):
        verbose_name = "advertising enquiry"
        verbose_name_plural = "advertising enquiries"

    def __str__(self):
        return f"{self.company} ({self.name})"

    def placement_labels(self):
        labels = dict(self.PLACEMENTS)
        return ", ".join(labels.get(value, value) for value in self.placements)

    placement_labels.short_description = "placements"

    def dates(self):
        if not (self.start_date or self.end_date):
            return ""
        start = news_date(self.start_date) if self.start_date else "?"
        end = news_date(self.end_date) if self.end_date else "?"
        return f"{start} to {end}"

    def email_subject(self):
        return one_line(f"Advertising enquiry: {self.company}")

    def email_lines(self):
        return [
            ("Company", self.company),
            ("Contact", f"{self.name} <{self.email}>"),
            ("Phone", self.phone),
            ("Budget", self.get_budget_display()),
            ("Placements", self.placement_labels()),
            ("Dates", self.dates()),
        ]


def one_line(text):
    """E-mail headers hold one line: a reader's line breaks must not start new headers."""
    return " ".join(text.split())

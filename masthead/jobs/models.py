"""The Jobs & Scholarships board: organisations, vacancies and scholarships.

A listing is a Wagtail page under its board page, so that editors moderate, edit, schedule and
publish it as any page. It stays live after its closing date: the lists leave it out on their
own, and its page says it is closed and asks search engines to forget it.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.images import get_image_model
from wagtail.models import Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from masthead.caching.store import record
from masthead.core.methods import accepts_posts
from masthead.core.models import SocialFields, ViewRestrictionsFromCache, restricted_paths
from masthead.navigation.models import MenuFields

CLOSING_SOON_DAYS = 7
DESCRIPTION_FEATURES = ["bold", "italic", "link", "ol", "ul", "h3"]


class Organisation(index.Indexed, models.Model):
    """An employer or a school that offers vacancies or scholarships; a snippet."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    website = models.URLField(blank=True, max_length=500)
    logo = models.ForeignKey(
        "images.NewsImage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    about = models.TextField(blank=True, max_length=2000)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("website"),
        FieldPanel("logo"),
        FieldPanel("about"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("organisation", kwargs={"slug": self.slug})

    def cache_purge_keys(self):
        return [f"org:{self.pk}", "orgs"]


def unique_slug(name):
    base = slugify(name, allow_unicode=True)[:180] or "organisation"
    slug, number = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


class ListingQuerySet(PageQuerySet):
    def open(self):
        """Live listings whose closing date is today or later, in the site's time zone."""
        return self.live().filter(closing_date__gte=timezone.localdate())

    def matching(self, words):
        """Listings with every word in their title, summary, organisation or place."""
        listings = self
        for word in words:
            match = (
                Q(title__icontains=word)
                | Q(summary__icontains=word)
                | Q(organisation__name__icontains=word)
            )
            for field in self.model.place_fields:
                match |= Q(**{f"{field}__icontains": word})
            listings = listings.filter(match)
        return listings

    def for_cards(self):
        renditions = (
            get_image_model().get_rendition_model().objects.filter(filter_spec="max-160x80")
        )
        return self.select_related("organisation__logo").prefetch_related(
            models.Prefetch("organisation__logo__renditions", queryset=renditions)
        )


ListingManager = PageManager.from_queryset(ListingQuerySet)


class Listing(ViewRestrictionsFromCache, SocialFields, Page):
    """What vacancies and scholarships share: who offers it, until when, and how to apply."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    closing_date = models.DateField(
        help_text="The last day to apply. The listing leaves the lists after this day."
    )
    summary = models.CharField(
        max_length=300, blank=True, help_text="One or two sentences for the lists."
    )
    description = RichTextField(features=DESCRIPTION_FEATURES)
    apply_url = models.URLField("apply online at", blank=True, max_length=500)
    apply_email = models.EmailField("apply by e-mail to", blank=True)
    apply_notes = models.TextField("how to apply", blank=True, max_length=2000)
    submitter_name = models.CharField(max_length=200, blank=True, editable=False)
    submitter_email = models.EmailField(
        blank=True,
        help_text="Who submitted this listing through the public form; told when it is "
        "approved or rejected. Never shown on the site.",
    )
    submitter_notified = models.CharField(max_length=20, blank=True, editable=False)

    objects = ListingManager()

    def cache_purge_keys(self):
        return [f"org:{self.organisation_id}"]  # its organisation's page lists it

    apply_panels = [
        MultiFieldPanel(
            [FieldPanel("apply_url"), FieldPanel("apply_email"), FieldPanel("apply_notes")],
            heading="How to apply",
        )
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("description"),
        index.FilterField("closing_date"),
    ]
    promote_panels = [*Page.promote_panels, *SocialFields.social_panels]

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if not (self.apply_url or self.apply_email or self.apply_notes):
            raise ValidationError(
                {"apply_url": "Say how to apply: a web address, an e-mail address or notes."}
            )

    @property
    def is_open(self):
        return self.closing_date >= timezone.localdate()

    @property
    def days_left(self):
        return (self.closing_date - timezone.localdate()).days

    @property
    def closing_soon(self):
        return 0 <= self.days_left < CLOSING_SOON_DAYS

    @property
    def share_description(self):
        return super().share_description or self.summary

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["board"] = board = self.get_parent().specific_deferred
        record(f"page:{board.pk}", f"org:{self.organisation_id}")
        return context

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if not self.is_open:
            response["X-Robots-Tag"] = "noindex"
        return response


class Vacancy(Listing):
    FULL_TIME, PART_TIME, CONTRACT = "FULL_TIME", "PART_TIME", "CONTRACTOR"
    EMPLOYMENT_TYPES = [
        (FULL_TIME, "Full-time"),
        (PART_TIME, "Part-time"),
        (CONTRACT, "Contract"),
        ("TEMPORARY", "Temporary"),
        ("INTERN", "Internship"),
        ("VOLUNTEER", "Volunteer"),
    ]
    WORKPLACES = [("onsite", "On site"), ("hybrid", "Hybrid"), ("remote", "Remote")]
    PERIODS = [("YEAR", "a year"), ("MONTH", "a month"), ("WEEK", "a week"), ("HOUR", "an hour")]

    employment_type = models.CharField(max_length=20, choices=EMPLOYMENT_TYPES, default=FULL_TIME)
    workplace = models.CharField(max_length=10, choices=WORKPLACES, default="onsite")
    location = models.CharField(
        max_length=120, blank=True, help_text="Town or region; empty for remote work anywhere."
    )
    country = models.CharField(max_length=80, blank=True)
    salary_min = models.DecimalField(
        max_digits=12, decimal_places=0, null=True, blank=True, verbose_name="salary from"
    )
    salary_max = models.DecimalField(
        max_digits=12, decimal_places=0, null=True, blank=True, verbose_name="salary up to"
    )
    salary_currency = models.CharField(
        max_length=3, blank=True, help_text="Three letters, such as GHS, USD or EUR."
    )
    salary_period = models.CharField(max_length=5, choices=PERIODS, default="YEAR", blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("organisation"),
        FieldPanel("summary"),
        FieldRowPanel([FieldPanel("employment_type"), FieldPanel("workplace")]),
        FieldRowPanel([FieldPanel("location"), FieldPanel("country")]),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("salary_min"), FieldPanel("salary_max")]),
                FieldRowPanel([FieldPanel("salary_currency"), FieldPanel("salary_period")]),
            ],
            heading="Salary (optional)",
        ),
        FieldPanel("closing_date"),
        FieldPanel("description"),
        *Listing.apply_panels,
        FieldPanel("submitter_email"),
    ]
    search_fields = [
        *Listing.search_fields,
        index.SearchField("location"),
        index.SearchField("country"),
    ]
    place_fields = ("location", "country")
    parent_page_types = ["jobs.VacancyBoard"]
    subpage_types = []

    class Meta:
        verbose_name = "job vacancy"
        verbose_name_plural = "job vacancies"

    def clean(self):
        super().clean()
        if self.salary_min and self.salary_max and self.salary_min > self.salary_max:
            raise ValidationError({"salary_max": "The top of the range is below its bottom."})
        if (self.salary_min or self.salary_max) and not self.salary_currency:
            raise ValidationError({"salary_currency": "Give the salary's currency."})

    @property
    def place(self):
        if self.workplace == "remote":
            return f"Remote ({self.country})" if self.country else "Remote"
        where = ", ".join(part for part in (self.location, self.country) if part)
        return f"{where} (hybrid)" if self.workplace == "hybrid" and where else where

    @property
    def salary(self):
        if not (self.salary_min or self.salary_max):
            return ""
        amounts = list(
            dict.fromkeys(
                f"{amount:,.0f}" for amount in (self.salary_min, self.salary_max) if amount
            )
        )
        period = self.get_salary_period_display()
        return f"{self.salary_currency} {' – '.join(amounts)}" + (f" {period}" if period else "")


class Scholarship(Listing):
    LEVELS = [
        ("secondary", "Secondary school"),
        ("undergraduate", "Undergraduate"),
        ("masters", "Master's"),
        ("doctoral", "Doctoral"),
        ("postdoctoral", "Postdoctoral"),
        ("professional", "Professional or short course"),
    ]

    level = models.CharField(max_length=20, choices=LEVELS)
    field_of_study = models.CharField(max_length=120, help_text="Such as 'Engineering' or 'Any'.")
    country = models.CharField(max_length=80, help_text="Where the studies take place.")
    funding = models.CharField(
        "amount or coverage",
        max_length=200,
        help_text="Such as 'Full tuition and a monthly stipend' or 'EUR 10,000'.",
    )
    eligibility = RichTextField(features=DESCRIPTION_FEATURES, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("organisation", heading="Institution"),
        FieldPanel("summary"),
        FieldRowPanel([FieldPanel("level"), FieldPanel("field_of_study")]),
        FieldRowPanel([FieldPanel("country"), FieldPanel("funding")]),
        FieldPanel("closing_date"),
        FieldPanel("description"),
        FieldPanel("eligibility"),
        *Listing.apply_panels,
        FieldPanel("submitter_email"),
    ]
    search_fields = [
        *Listing.search_fields,
        index.SearchField("field_of_study"),
        index.SearchField("country"),
        index.SearchField("eligibility"),
    ]
    place_fields = ("field_of_study", "country")
    parent_page_types = ["jobs.ScholarshipBoard"]
    subpage_types = []

    class Meta:
        verbose_name = "scholarship"

    @property
    def place(self):
        return self.country


class Board(ViewRestrictionsFromCache, RoutablePageMixin, SocialFields, MenuFields, Page):
    """The list of open vacancies or scholarships, with filters, a search box and a form for
    organisations to submit a listing."""

    intro = models.TextField(blank=True, max_length=600)
    submit_intro = models.TextField(
        blank=True,
        max_length=1000,
        help_text="Shown above the public submission form: what is accepted, how long it takes.",
    )
    moderators_email = models.EmailField(
        blank=True, help_text="Told of each new submission, besides Wagtail's moderators."
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("submit_intro")]
    promote_panels = [*Page.promote_panels, *MenuFields.menu_panels, *SocialFields.social_panels]
    settings_panels = [*Page.settings_panels, FieldPanel("moderators_email")]
    parent_page_types = ["sections.HomePage", "sections.SectionPage"]
    listing_model = None  # set by each board, with the words for one and several
    noun, noun_plural = "listing", "listings"

    class Meta:
        abstract = True

    def listings(self):
        return self.listing_model.objects.filter(
            path__startswith=self.path, depth=self.depth + 1
        ).open()

    @path("")
    def listing_view(self, request):
        from masthead.jobs.views import board_listing

        return board_listing(request, self)

    @path("submit/")
    @accepts_posts
    def submit_view(self, request):
        from masthead.jobs.views import submit_listing

        return submit_listing(request, self)


class VacancyBoard(Board):
    listing_model = Vacancy
    noun, noun_plural = "vacancy", "vacancies"
    subpage_types = ["jobs.Vacancy"]

    class Meta:
        verbose_name = "job vacancies board"


class ScholarshipBoard(Board):
    listing_model = Scholarship
    noun, noun_plural = "scholarship", "scholarships"
    subpage_types = ["jobs.Scholarship"]

    class Meta:
        verbose_name = "scholarships board"


BOARD_PREVIEW_COUNT = 4


def boards_below(page):
    """The live boards directly below `page` (the Jobs & Scholarships section), each with its
    newest open listings as `board.newest`: one query where there are none, and one for each
    kind of board and each board where there are."""
    restricted = restricted_paths()
    found = Page.objects.child_of(page).live().type(VacancyBoard, ScholarshipBoard)
    boards = [
        board
        for board in found.order_by("path").specific()
        if not any(map(board.path.startswith, restricted))
    ]
    for board in boards:
        board.newest = list(
            board.listings()
            .select_related("organisation")
            .order_by("-first_published_at", "-pk")[:BOARD_PREVIEW_COUNT]
        )
        record(f"page:{board.pk}", f"children:{board.pk}")
        record(*(f"org:{listing.organisation_id}" for listing in board.newest))
    return boards


def organisation_listings(organisation):
    """Open vacancies and scholarships of an organisation, closing soonest first."""
    today = timezone.localdate()
    found = []
    for model in (Vacancy, Scholarship):
        found += model.objects.open().filter(organisation=organisation).for_cards()
    return sorted(found, key=lambda listing: (listing.closing_date - today, listing.title))


def open_listings_matching(terms, limit):
    """Open vacancies and scholarships with every term in them, closing soonest first: for the
    site's search results."""
    found = []
    for model in (Vacancy, Scholarship):
        listings = model.objects.open().matching(terms).select_related("organisation")
        found += listings.order_by("closing_date", "pk")[:limit]
    return sorted(found, key=lambda listing: (listing.closing_date, listing.title))[:limit]

"""A board's list with its filters, the public submission form, and an organisation's page."""

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.text import slugify
from django.views.decorators.http import require_safe
from wagtail.models import Page

from masthead.caching.store import record
from masthead.core.forms import Submission, form_response, take_submission
from masthead.core.pagination import paginate
from masthead.core.storage import STORAGE_FULL_MESSAGE, storage_full
from masthead.core.tasks import send_email
from masthead.images.models import NewsImage
from masthead.jobs.forms import BoardFilters, ScholarshipSubmission, VacancySubmission
from masthead.jobs.models import (
    Organisation,
    Scholarship,
    ScholarshipBoard,
    Vacancy,
    organisation_listings,
    unique_slug,
)

NEWEST = ("-first_published_at", "-pk")
CLOSING = ("closing_date", "-first_published_at", "-pk")


def distinct_values(listings, *fields):
    """The choices of each field: the values the listings have, sorted, in one query."""
    rows = listings.order_by().values_list(*fields).distinct()
    found = [sorted({row[n] for row in rows} - {""}) for n in range(len(fields))]
    return [[(value, value) for value in values] for values in found]


def filter_choices(board, listings):
    if isinstance(board, ScholarshipBoard):
        fields, countries = distinct_values(listings, "field_of_study", "country")
        return {
            "level": ("Level", Scholarship.LEVELS),
            "field": ("Field of study", fields),
            "country": ("Country", countries),
        }
    (locations,) = distinct_values(listings, "location")
    return {
        "type": ("Type", Vacancy.EMPLOYMENT_TYPES),
        "workplace": ("Workplace", Vacancy.WORKPLACES),
        "location": ("Location", locations),
    }


FILTER_FIELDS = {
    "level": "level",
    "field": "field_of_study",
    "country": "country",
    "type": "employment_type",
    "workplace": "workplace",
    "location": "location",
}


def board_listing(request, board):
    record(f"children:{board.pk}")
    listings = board.listings()
    choices = filter_choices(board, listings)
    values, notes = BoardFilters(request.GET, choices).values()
    filters = BoardFilters(values, choices)  # shown with the values kept, bad ones cleared
    for name, field in FILTER_FIELDS.items():
        if values.get(name):
            listings = listings.filter(**{field: values[name]})
    if values["q"].strip():
        listings = listings.matching(values["q"].split()[:10])
    listings = listings.order_by(*(CLOSING if values["sort"] == "closing" else NEWEST))
    page = paginate(request, listings.for_cards().defer_streamfields())
    record(*(f"org:{listing.organisation_id}" for listing in page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    return board.render(
        request,
        template="jobs/board.html",
        context_overrides={
            "listings": page,
            "filters": filters,
            "notes": notes,
            "filtered": any(values[name] for name in values if name != "sort"),
            "query_string": query.urlencode(),
        },
    )


def paragraphs(text):
    """Plain text typed into the form as safe rich text: a paragraph per blank line."""
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n")]
    return "".join(
        "<p>" + "<br/>".join(escape(line) for line in block.splitlines()) + "</p>"
        for block in blocks
        if block
    )


def free_slug(board, title):
    base = slugify(title, allow_unicode=True)[:60].strip("-") or "listing"
    taken = set(
        Page.objects.filter(path__startswith=board.path, depth=board.depth + 1)
        .filter(slug__startswith=base)
        .values_list("slug", flat=True)
    )
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def organisation_for(data):
    """The organisation of that name, or a new one with the submitted website and logo. An
    existing organisation is never changed by a submission: editors do that."""
    existing = Organisation.objects.filter(name__iexact=data["organisation_name"]).first()
    if existing:
        return existing
    logo = None
    if data.get("logo"):
        logo = NewsImage.objects.create(
            title=f"{data['organisation_name']} logo",
            description=f"Logo of {data['organisation_name']}",
            file=data["logo"],
        )
    return Organisation.objects.create(
        name=data["organisation_name"],
        slug=unique_slug(data["organisation_name"]),
        website=data.get("organisation_website", ""),
        logo=logo,
    )


LISTING_FIELDS = {
    Vacancy: [
        "employment_type", "workplace", "location", "country", "salary_min", "salary_max",
        "salary_currency", "salary_period",
    ],
    Scholarship: ["level", "field_of_study", "country", "funding"],
}  # fmt: skip


@transaction.atomic
def create_submission(board, data):
    """The listing as a draft under its board, in moderation: all of it or nothing."""
    model = board.listing_model
    listing = model(
        title=data["title"],
        slug=free_slug(board, data["title"]),
        organisation=organisation_for(data),
        summary=data.get("summary", ""),
        closing_date=data["closing_date"],
        description=paragraphs(data["description"]),
        apply_url=data.get("apply_url", ""),
        apply_email=data.get("apply_email", ""),
        submitter_name=data["submitter_name"],
        submitter_email=data["submitter_email"],
        live=False,
        **{
            name: data.get(name) or model._meta.get_field(name).get_default()
            for name in LISTING_FIELDS[model]
        },
    )
    if model is Scholarship:
        listing.eligibility = paragraphs(data.get("eligibility", ""))
    board.add_child(instance=listing)
    listing.save_revision(log_action=True)
    workflow = listing.get_workflow()
    if workflow:
        workflow.start(listing, None)
    return listing


def submit_listing(request, board):
    form_class = ScholarshipSubmission if board.listing_model is Scholarship else VacancySubmission
    too_big = request.method == "POST" and oversized(request)
    if too_big:
        form = form_class()
        submission = Submission(status=413)
    else:
        form = form_class(*((request.POST, request.FILES) if request.method == "POST" else ()))
        submission = take_submission(request, form, lambda form: keep_submission(board, form))
    if submission.sent:
        return HttpResponseRedirect(board.url + "submit/?sent=1")
    context = {
        "sent": request.GET.get("sent") == "1",
        "form": form,
        "too_big": too_big,
        "logo_max_mb": settings.JOBS_LOGO_MAX_BYTES // 1024 // 1024,
    }
    response = board.render(request, template="jobs/submit.html", context_overrides=context)
    return form_response(response, submission)


def keep_submission(board, form):
    try:
        listing = create_submission(board, form.cleaned_data)
    except OSError as error:  # the logo met a full disk: nothing was kept
        if not storage_full(error):
            raise
        form.add_error("logo", STORAGE_FULL_MESSAGE)
        return Submission(status=507)
    notify_moderators(board, listing)
    return None


def oversized(request):
    """Whether the posted form is larger than a logo and the text can be, told by its
    Content-Length before any of it is read: a 60 MB file is refused without being received."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > settings.JOBS_LOGO_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def notify_moderators(board, listing):
    if not board.moderators_email:
        return
    edit_url = settings.WAGTAILADMIN_BASE_URL + reverse(
        "wagtailadmin_pages:edit", args=[listing.pk]
    )
    send_email.enqueue(
        f"New listing to review: {listing.title}",
        f"{listing.submitter_name} submitted “{listing.title}” "
        f"({listing.organisation.name}) to {board.title}.\n\n"
        f"Review it: {edit_url}\n",
        [board.moderators_email],
    )


@require_safe
def organisation_page(request, slug):
    organisation = get_object_or_404(Organisation.objects.select_related("logo"), slug=slug)
    record(f"org:{organisation.pk}")
    ever = Vacancy.objects.live().filter(organisation=organisation).exists() or (
        Scholarship.objects.live().filter(organisation=organisation).exists()
    )
    if not ever:
        raise Http404("This organisation has no listings.")
    return render(
        request,
        "jobs/organisation.html",
        {"organisation": organisation, "listings": organisation_listings(organisation)},
    )

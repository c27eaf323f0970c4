from datetime import datetime, time, timedelta
from operator import attrgetter

from django import forms
from django.utils import timezone

from masthead.core.forms import DAY_FORMATS
from masthead.sections.models import SectionPage

SORTS = [("relevance", "Most relevant"), ("newest", "Newest first")]
EARLIEST, LATEST = 1800, 2200  # years a date filter may name
KNOWN_PARAMETERS = {"q", "page", "sort", "section", "from", "to"}


class SearchFilters(forms.Form):
    """How to narrow and order results. A value that is not valid is dropped with a note."""

    sort = forms.ChoiceField(choices=SORTS, required=False)
    section = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)

    def __init__(self, data, sections):
        super().__init__(data)
        self.sections = {section.pk: section for section in sections}
        self.fields["section"].choices = [("", "All sections")] + [
            (section.pk, "\u2003" * (section.depth - 3) + section.title) for section in sections
        ]
        self.fields["from"] = forms.DateField(
            required=False, label="From", input_formats=DAY_FORMATS
        )
        self.fields["to"] = forms.DateField(required=False, label="To", input_formats=DAY_FORMATS)
        self.notes = []

    def clean(self):
        data = super().clean()
        for name in ("from", "to"):
            day = data.get(name)
            if day and not EARLIEST <= day.year <= LATEST:
                self.add_error(name, "Out of range.")
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            data["from"], data["to"] = end, start
            self.notes.append("The dates were the wrong way round, so they were swapped.")
        return data

    def filters(self):
        """The valid filters as a dict, and notes on what was left out and why."""
        self.is_valid()
        messages = {
            "sort": "Results can be sorted by relevance or by date only; showing the most "
            "relevant first.",
            "section": "That section does not exist, so all sections are searched.",
            "from": "The start date could not be read (write day/month/year, such as 08/04/2025), "
            "so it was left out.",
            "to": "The end date could not be read (write day/month/year, such as 08/04/2025), "
            "so it was left out.",
        }
        notes = [messages[name] for name in messages if name in self.errors]
        unknown = sorted(
            name
            for name in self.data
            if name not in KNOWN_PARAMETERS and not name.startswith("utm_")
        )
        if unknown:
            names = ", ".join(f"“{name}”" for name in unknown)
            notes.append(f"Search has no filter called {names}, so it was ignored.")
        data = {name: self.cleaned_data.get(name) for name in messages if name not in self.errors}
        data["sort"] = data.get("sort") or "relevance"
        data["section"] = self.sections.get(data.get("section"))
        return data, notes + self.notes


def day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def narrow(articles, filters):
    """Apply the section and date filters to a queryset of articles."""
    if filters["section"]:
        articles = articles.filter(path__startswith=filters["section"].path)
    if filters.get("from"):
        articles = articles.filter(date__gte=day_start(filters["from"]))
    if filters.get("to"):
        articles = articles.filter(date__lt=day_start(filters["to"] + timedelta(days=1)))
    return articles


def section_choices():
    """Every live section, in tree order, for the section filter.

    Sorted here, not by the database: asked to order by path, SQLite walks the path index of
    every page (50,000 articles: 70 ms) to find the few sections instead of reading those."""
    return sorted(SectionPage.objects.live().order_by(), key=attrgetter("path"))

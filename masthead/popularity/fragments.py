"""The most-read blocks: fragments of their own (ESI in a cached page), so that their frequent
change never purges the front or a section page. Each is kept for MOST_READ_REFRESH minutes
and then built again from the counts: that is the whole of its freshness (no purge, no task)."""

from datetime import timedelta

from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone

from masthead.articles.models import ArticlePage, attach_sections
from masthead.caching.fragments import fragment
from masthead.caching.store import expire_at, record
from masthead.popularity.models import most_read
from masthead.sections.models import SectionPage

MOST_READ_COUNT = 5
MOST_READ_REFRESH = timedelta(minutes=10)


def most_read_block(within=None, heading="Most read"):
    record("most-read")
    expire_at(timezone.now() + MOST_READ_REFRESH)
    ranked = most_read(MOST_READ_COUNT, within=within)
    found = {
        article.pk: article
        for article in attach_sections(
            ArticlePage.objects.filter(pk__in=[pk for pk, _ in ranked]).for_cards()
        )
    }
    articles = [found[pk] for pk, _ in ranked if pk in found]
    return render_to_string(
        "popularity/most_read.html", {"articles": articles, "heading": heading, "within": within}
    )


@fragment("most-read")
def most_read_everywhere():
    return most_read_block()


@fragment("most-read", of_page=True)
def most_read_in_section(section_id):
    section = SectionPage.objects.live().filter(pk=section_id).first()
    if section is None:
        raise Http404
    record(f"page:{section.pk}")
    return most_read_block(within=section, heading=f"Most read in {section.title}")

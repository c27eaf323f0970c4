from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.ui.components import Component

from masthead.articles.models import ArticlePage
from masthead.popularity.models import MOST_READ_HOURS, most_read

CHART_ARTICLES = 10
ROW_HEIGHT, BAR_HEIGHT, CHART_WIDTH = 40, 14, 600


class MostReadPanel(Component):
    """The editor's dashboard: the articles read most in the last day, as bars and a table."""

    name = "most_read"
    order = 150
    template_name = "popularity/most_read_panel.html"

    def get_context_data(self, parent_context):
        ranked = most_read(CHART_ARTICLES)
        titles = dict(
            ArticlePage.objects.filter(pk__in=[pk for pk, _ in ranked]).values_list("pk", "title")
        )
        top = ranked[0][1] if ranked else 1
        rows = []
        for position, (pk, views) in enumerate(ranked):
            rows.append(
                {
                    "pk": pk,
                    "title": titles.get(pk, ""),
                    "views": views,
                    "title_y": position * ROW_HEIGHT + 14,
                    "bar_y": position * ROW_HEIGHT + 20,
                    "views_y": position * ROW_HEIGHT + 32,
                    "width": max(2, round(CHART_WIDTH * views / top)),
                }
            )
        return {
            "rows": rows,
            "hours": MOST_READ_HOURS,
            "heading": f"Most read in the last {MOST_READ_HOURS} hours",
            "chart_width": CHART_WIDTH + 60,
            "chart_height": max(len(rows) * ROW_HEIGHT, 1),
            "bar_height": BAR_HEIGHT,
        }


@hooks.register("construct_homepage_panels")
def add_most_read_panel(request, panels):
    panels.append(MostReadPanel())


@hooks.register("article_slots")
def view_beacon(request, article):
    """The script that counts the view, in the cached article (the same for every reader)."""
    if getattr(request, "is_preview", False):
        return {}
    script = format_html(
        '<script src="{}" defer data-url="{}" data-article="{}"></script>',
        static("popularity/beacon.js"),
        reverse("count_view"),
        article.pk,
    )
    return {"beacon": script}

"""The editor's dashboard on the admin's home page: my drafts, waiting for my review, scheduled
today, recently published, comments waiting, and articles published per day per section.

Each panel is a Wagtail component that reads what it shows in one or two queries."""

from datetime import datetime, time, timedelta

from django.db.models import Count, F
from django.db.models.functions import Substr, TruncDate
from django.utils import timezone
from wagtail.admin.ui.components import Component
from wagtail.models import Page, TaskState

from masthead.articles.models import ArticlePage
from masthead.comments.models import Comment
from masthead.newsroom import desks, scheduling
from masthead.newsroom.models import SectionReviewState

LIST_LENGTH = 8
CHART_DAYS = 30
# Bars of the chart, one colour a section, told apart by their legend and table too.
PALETTE = ("#2e6bb0", "#c4472f", "#2f8f5b", "#8a5ab8", "#c78a12", "#1f8a99", "#b0457d", "#6b6f1f")
OTHER_COLOUR = "#777777"
CHART_HEIGHT = 160
BAR_WIDTH = 22
BAR_GAP = 8


def local_day_bounds(day):
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


class Panel(Component):
    order = 100

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        return {"panel": self, **self.data()}


class MyDrafts(Panel):
    name = "my_drafts"
    heading = "My drafts"
    order = 110
    template_name = "newsroom/dashboard/pages.html"

    def data(self):
        drafts = (
            Page.objects.filter(owner=self.user, has_unpublished_changes=True)
            .select_related("latest_revision")
            .order_by("-latest_revision_created_at")[:LIST_LENGTH]
        )
        return {
            "rows": [
                (page, page.latest_revision.object_str if page.latest_revision else page.title)
                for page in drafts
            ],
            "when": "latest_revision_created_at",
            "empty": "No drafts of yours: every page you made is published.",
        }


def waiting_for_review(user):
    """The section desk reviews `user` may decide, those assigned to them first, then by due
    date; with their page (title of the submitted revision), writer and assignee."""
    states = SectionReviewState.objects.filter(status=TaskState.STATUS_IN_PROGRESS)
    if not user.is_superuser:
        states = states.filter(workflow_state__object_id__in=desks.reviewable_page_ids(user))
    states = list(
        states.select_related("assignee", "workflow_state__requested_by", "revision").order_by(
            F("due_date").asc(nulls_last=True), "started_at"
        )[: LIST_LENGTH * 3]
    )
    states.sort(key=lambda state: state.assignee_id != user.pk)  # stable: keeps due date order
    return states[:LIST_LENGTH]


def other_reviews(user):
    """The other workflows' reviews `user` may decide (a vacancy an organisation submitted, say),
    as Wagtail's own list of pages awaiting review shows them."""
    return list(
        TaskState.objects.reviewable_by(user)
        .exclude(pk__in=SectionReviewState.objects.values("pk"))
        .select_related("workflow_state__requested_by", "revision")
        .order_by("started_at")[:LIST_LENGTH]
    )


class WaitingForReview(Panel):
    name = "waiting_for_review"
    heading = "Waiting for my review"
    order = 100
    template_name = "newsroom/dashboard/reviews.html"

    def data(self):
        return {
            "states": waiting_for_review(self.user) + other_reviews(self.user),
            "today": timezone.localdate(),
        }


class ScheduledToday(Panel):
    name = "scheduled_today"
    heading = "Scheduled today"
    order = 120
    template_name = "newsroom/dashboard/scheduled.html"

    def data(self):
        start, end = local_day_bounds(timezone.localdate())
        entries = [
            entry
            for entry in scheduling.entries(start, end)
            if entry.status != scheduling.PUBLISHED
        ]
        return {"entries": entries[: LIST_LENGTH * 2]}


class RecentlyPublished(Panel):
    name = "recently_published"
    heading = "Recently published"
    order = 130
    template_name = "newsroom/dashboard/pages.html"

    def data(self):
        articles = (
            ArticlePage.objects.published()
            .defer_streamfields()
            .order_by(F("last_published_at").desc(nulls_last=True), "-date", "-pk")[:LIST_LENGTH]
        )
        return {
            "rows": [(article, article.title) for article in articles],
            "when": "last_published_at",
            "empty": "Nothing published yet.",
        }


class CommentsWaiting(Panel):
    name = "comments_waiting"
    heading = "Comments waiting"
    order = 140
    template_name = "newsroom/dashboard/comments.html"

    def data(self):
        waiting = Comment.objects.filter(status=Comment.Status.PENDING, removed=False)
        comments = list(
            waiting.select_related("author", "article").only(
                "body",
                "created",
                "author__first_name",
                "author__last_name",
                "author__username",
                "article__title",
            )[:LIST_LENGTH]
        )
        count = len(comments) if len(comments) < LIST_LENGTH else waiting.count()
        return {"comments": comments, "count": count}


def published_per_day(days=CHART_DAYS, today=None):
    """Articles published on each of the last `days` days, by top section: (days, sections,
    counts) where counts[section title][i] is the count of days[i]."""
    today = today or timezone.localdate()
    first = today - timedelta(days=days - 1)
    start, _ = local_day_bounds(first)
    _, end = local_day_bounds(today)
    section_path = Substr("path", 1, desks.SECTION_DEPTH * Page.steplen)
    rows = (
        ArticlePage.objects.live()
        .filter(date__gte=start, date__lt=end, date__lte=timezone.now())
        .annotate(day=TruncDate("date", tzinfo=timezone.get_current_timezone()))
        .annotate(section_path=section_path)
        .values("day", "section_path")
        .annotate(count=Count("pk"))
        .order_by()
    )
    rows = list(rows)
    titles = dict(
        Page.objects.filter(
            depth=desks.SECTION_DEPTH, path__in={row["section_path"] for row in rows}
        ).values_list("path", "title")
    )
    day_list = [first + timedelta(days=n) for n in range(days)]
    position = {day: n for n, day in enumerate(day_list)}
    counts = {}
    for row in rows:
        title = titles.get(row["section_path"], "Elsewhere")
        counts.setdefault(title, [0] * days)[position[row["day"]]] += row["count"]
    sections = sorted(counts, key=lambda title: -sum(counts[title]))
    return day_list, sections, counts


class PublishedChart(Panel):
    name = "published_chart"
    heading = f"Published per day, last {CHART_DAYS} days"
    order = 150
    template_name = "newsroom/dashboard/chart.html"

    def data(self):
        days, sections, counts = published_per_day()
        colours = {
            title: PALETTE[n] if n < len(PALETTE) else OTHER_COLOUR
            for n, title in enumerate(sections)
        }
        totals = [sum(counts[title][n] for title in sections) for n in range(len(days))]
        top = max(totals, default=0) or 1
        scale = CHART_HEIGHT / top
        bars = []
        for n, day in enumerate(days):
            x = n * (BAR_WIDTH + BAR_GAP)
            y = CHART_HEIGHT
            pieces = []
            for title in sections:
                count = counts[title][n]
                if count:
                    height = count * scale
                    y -= height
                    pieces.append(
                        {
                            "y": round(y, 1),
                            "height": round(height, 1),
                            "colour": colours[title],
                            "title": f"{title}: {count}",
                        }
                    )
            labelled = (len(days) - 1 - n) % 7 == 0  # the last day, and a week apart before it
            bars.append(
                {"x": x, "day": day, "total": totals[n], "pieces": pieces, "label": labelled}
            )
        return {
            "bars": bars,
            "sections": [
                (title, colours[title], counts[title], sum(counts[title])) for title in sections
            ],
            "days": days,
            "table": [
                (day, [counts[title][n] for title in sections], totals[n])
                for n, day in enumerate(days)
            ],
            "total": sum(totals),
            "top": top,
            "width": len(days) * (BAR_WIDTH + BAR_GAP),
            "height": CHART_HEIGHT,
            "bar_width": BAR_WIDTH,
        }


def panels_for(user):
    """The dashboard's panels that `user` has a use for."""
    found = [MyDrafts(user), RecentlyPublished(user), ScheduledToday(user), PublishedChart(user)]
    if user.is_superuser or desks.reviewable_page_ids(user).exists():
        found.append(WaitingForReview(user))
    if user.has_perm("comments.change_comment"):
        found.append(CommentsWaiting(user))
    return found

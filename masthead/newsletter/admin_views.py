"""The newsroom's side of subscribing: lists (archived, never deleted, once they have
subscribers), subscribers (search, filters, export, import) and a chart of subscribers per
list over time."""

from datetime import timedelta

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.db.models.functions import TruncDate
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton

from masthead.core.worker import worker_is_running
from masthead.newsletter.forms import ImportForm
from masthead.newsletter.models import (
    NewsletterList,
    PastSubscription,
    Subscriber,
    SubscriberImport,
    Subscription,
)

IMPORT_MAX_BYTES = 20 * 1024 * 1024
CHART_WEEKS = 26
CHART_WIDTH, CHART_HEIGHT = 720, 240
CHART_COLOURS = ["#0b4f8a", "#b3261e", "#2e7d32", "#6a1b9a", "#ef6c00"]


class ListDeleteView(generic.DeleteView):
    """A list with subscribers is archived instead: its subscribers and their history stay."""

    def form_valid(self, form):
        if self.object.has_subscribers():
            self.object.archived = True
            self.object.save(update_fields=["archived"])
            messages.warning(
                self.request,
                f"“{self.object}” has subscribers, so it was archived instead of deleted: it is "
                f"no longer offered, and its subscribers and history are kept.",
            )
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class NewsletterListViewSet(ModelViewSet):
    model = NewsletterList
    icon = "mail"
    menu_label = "Lists"
    url_prefix = "newsletter-lists"
    form_fields = ["name", "slug", "description", "welcome_text", "position", "archived"]
    list_display = ["name", "slug", "archived", "position"]
    search_fields = ["name", "slug"]
    delete_view_class = ListDeleteView


class SubscriberFilterSet(WagtailFilterSet):
    newsletter = django_filters.ModelChoiceFilter(
        label="List",
        queryset=NewsletterList.objects.all(),
        field_name="subscriptions__newsletter",
        distinct=True,
    )
    confirmed = django_filters.BooleanFilter(
        label="Confirmed", field_name="confirmed_at", lookup_expr="isnull", exclude=True
    )
    bounced = django_filters.BooleanFilter(
        label="Bounced", field_name="bounced_at", lookup_expr="isnull", exclude=True
    )
    unsubscribed = django_filters.BooleanFilter(
        label="Unsubscribed from a list", method="filter_unsubscribed"
    )

    class Meta:
        model = Subscriber
        fields = []

    def filter_unsubscribed(self, queryset, name, value):
        left = Q(subscriptions__unsubscribed_at__isnull=False)
        if value is None:
            return queryset
        ids = Subscriber.objects.filter(left).values("pk")
        return queryset.filter(pk__in=ids) if value else queryset.exclude(pk__in=ids)


class SubscriberIndexView(generic.IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .prefetch_related(
                Prefetch(
                    "subscriptions",
                    queryset=Subscription.objects.filter(unsubscribed_at=None)
                    .select_related("newsletter")
                    .order_by("newsletter__position", "newsletter__name"),
                    to_attr="current_subscriptions",
                )
            )
        )

    @property
    def header_buttons(self):
        return [
            *super().header_buttons,
            HeaderButton(
                "Import CSV", url=reverse("newsletter_subscribers:import"), icon_name="upload"
            ),
            HeaderButton(
                "Chart", url=reverse("newsletter_subscribers:chart"), icon_name="calendar"
            ),
        ]


class SubscriberViewSet(ModelViewSet):
    model = Subscriber
    icon = "user"
    menu_label = "Subscribers"
    url_prefix = "newsletter-subscribers"
    name = "newsletter_subscribers"
    index_view_class = SubscriberIndexView
    form_fields = ["email", "bounced_at", "bounce_reason"]
    list_display = ["email", "newsletters", "confirmed_at", "bounced_at", "source", "created"]
    list_export = ["email", "newsletters", "confirmed_at", "bounced_at", "source", "created"]
    export_filename = "subscribers"
    search_fields = ["email"]
    filterset_class = SubscriberFilterSet
    copy_view_enabled = False

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("import/", import_view, name="import"),
            path("import/<int:pk>/", import_status, name="import_status"),
            path("chart/", chart_view, name="chart"),
        ]


def may_import(user):
    return user.has_perm("newsletter.add_subscriber")


def import_view(request):
    """The import's form: the file is checked and saved by the task worker, whose progress and
    report `import_status` shows."""
    if not may_import(request.user):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > IMPORT_MAX_BYTES:
                form.add_error("file", f"A file has at most {IMPORT_MAX_BYTES // 1024 // 1024} MB.")
            else:
                try:
                    text = upload.read().decode("utf-8-sig")
                except UnicodeDecodeError:
                    form.add_error("file", "The file is not UTF-8 text: save it as CSV UTF-8.")
                else:
                    job = start_import(request.user, text, form.cleaned_data)
                    return redirect("newsletter_subscribers:import_status", pk=job.pk)
        status = 400
    else:
        form = ImportForm()
    context = {"form": form, "page_title": "Import subscribers", "header_icon": "upload"}
    return render(request, "newsletter/admin/import.html", context, status=status)


def start_import(user, text, data):
    from masthead.newsletter.tasks import import_subscribers

    with transaction.atomic():
        job = SubscriberImport.objects.create(
            user=user,
            text=text,
            consented=data["consented"],
            rows_total=max(text.count("\n"), 1),
        )
        job.lists.set(data["lists"])
        transaction.on_commit(lambda: import_subscribers.enqueue(job.pk))
    return job


def import_status(request, pk):
    if not may_import(request.user):
        raise PermissionDenied
    job = get_object_or_404(SubscriberImport, pk=pk)
    context = {
        "job": job,
        "report": job.report,
        "worker_running": worker_is_running(),
        "page_title": "Import subscribers",
        "header_icon": "upload",
    }
    return render(request, "newsletter/admin/import_status.html", context)


def history(weeks=CHART_WEEKS, now=None):
    """Subscribers of each list at the end of each of the last `weeks` weeks: confirmed by then
    and not unsubscribed by then, counting the times they were on it before they came back.
    Four queries, whatever the number of subscribers."""
    now = now or timezone.now()
    days = [(now - timedelta(weeks=weeks - 1 - n)).date() for n in range(weeks)]
    lists = list(NewsletterList.objects.all())
    series = {newsletter.pk: [0] * weeks for newsletter in lists}
    for periods in (
        Subscription.objects.filter(confirmed_at__isnull=False),
        PastSubscription.objects.all(),
    ):
        joined = (
            periods.annotate(day=TruncDate("confirmed_at"))
            .values_list("newsletter_id", "day")
            .annotate(n=Count("pk"))
        )
        left = (
            periods.filter(unsubscribed_at__isnull=False)
            .annotate(day=TruncDate("unsubscribed_at"))
            .values_list("newsletter_id", "day")
            .annotate(n=Count("pk"))
        )
        for rows, sign in ((joined, 1), (left, -1)):
            for newsletter_id, day, n in rows:
                for index, end in enumerate(days):
                    if day <= end:
                        series[newsletter_id][index] += sign * n
    return days, [(newsletter, series[newsletter.pk]) for newsletter in lists]


def chart(days, lines):
    """Polylines of a server-rendered SVG (no script): x by week, y by subscribers."""
    top = max([1, *(max(values) for _, values in lines if values)])
    step = CHART_WIDTH / max(len(days) - 1, 1)
    drawn = []
    for index, (newsletter, values) in enumerate(lines):
        points = " ".join(
            f"{i * step:.1f},{CHART_HEIGHT - value / top * CHART_HEIGHT:.1f}"
            for i, value in enumerate(values)
        )
        drawn.append(
            {
                "newsletter": newsletter,
                "points": points,
                "colour": CHART_COLOURS[index % len(CHART_COLOURS)],
                "now": values[-1] if values else 0,
            }
        )
    return {"lines": drawn, "top": top, "width": CHART_WIDTH, "height": CHART_HEIGHT}


def chart_view(request):
    if not request.user.has_perm("newsletter.view_subscriber") and not may_import(request.user):
        raise PermissionDenied
    days, lines = history()
    context = {
        "chart": chart(days, lines),
        "first": days[0],
        "last": days[-1],
        "rows": [(day, [values[i] for _, values in lines]) for i, day in enumerate(days)],
        "lists": [newsletter for newsletter, _ in lines],
        "page_title": "Subscribers over time",
        "header_icon": "calendar",
    }
    return render(request, "newsletter/admin/chart.html", context)

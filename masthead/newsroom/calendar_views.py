"""The newsroom's calendar in the admin: what goes live when, by day or week, in the newsroom's
time zone; moving, unscheduling and publishing from it (masthead/newsroom/scheduling.py)."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from masthead.newsroom import scheduling

HOURS = range(24)
MAX_INPUT = 100


def parse_day(value):
    try:
        return date.fromisoformat(value[:MAX_INPUT]) if value else timezone.localdate()
    except ValueError:
        return None


def local_midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def calendar(request):
    view = "day" if request.GET.get("view") == "day" else "week"
    day = parse_day(request.GET.get("date", ""))
    if day is None:
        messages.error(request, "That is not a date: showing this week.")
        day = timezone.localdate()
    first = day if view == "day" else scheduling.week_start(day)
    days = [first + timedelta(days=n) for n in range(1 if view == "day" else 7)]
    found = scheduling.entries(
        local_midnight(days[0]), local_midnight(days[-1] + timedelta(days=1))
    )
    cells = {(d, h): [] for d in days for h in HOURS}
    for entry in found:
        cells[(entry.local.date(), entry.local.hour)].append(entry)
    step = timedelta(days=1 if view == "day" else 7)
    return TemplateResponse(
        request,
        "newsroom/calendar.html",
        {
            "header_title": "Calendar",
            "page_title": "Calendar",
            "header_icon": "calendar-alt",
            "view": view,
            "days": days,
            "today": timezone.localdate(),
            "rows": [(h, [(d, cells[(d, h)]) for d in days]) for h in HOURS],
            "count": len(found),
            "previous": (first - step).isoformat(),
            "next": (first + step).isoformat(),
            "time_zone": settings.TIME_ZONE,
            "back": request.get_full_path(),
        },
    )


def back_to_calendar(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(reverse("newsroom_calendar"))


def parse_moment(value):
    """A time typed or dropped (`YYYY-MM-DDTHH:MM`) in the newsroom's time zone."""
    try:
        moment = datetime.fromisoformat(value.strip()[:MAX_INPUT])
    except ValueError:
        raise ValidationError(
            "Give the new time as a date and a time, such as 2026-12-03 14:30."
        ) from None
    if timezone.is_aware(moment):
        raise ValidationError(f"Give the time without a zone: times are in {settings.TIME_ZONE}.")
    return timezone.make_aware(moment)


def acting(request, do, done):
    try:
        page = do()
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, done(page))
    return back_to_calendar(request)


@require_POST
def move(request, page_id):
    def do():
        return scheduling.reschedule(
            request.user, page_id, parse_moment(request.POST.get("when", ""))
        )

    return acting(
        request,
        do,
        lambda entry: (
            f"“{entry.page.title}” now goes live {timezone.localtime(entry.at):%A %-d %B, %H:%M}."
        ),
    )


@require_POST
def unschedule(request, page_id):
    return acting(
        request,
        lambda: scheduling.unschedule(request.user, page_id),
        lambda page: f"“{page.title}” is no longer scheduled.",
    )


@require_POST
def publish(request, page_id):
    return acting(
        request,
        lambda: scheduling.publish_now(request.user, page_id),
        lambda page: f"“{page.title}” is published.",
    )

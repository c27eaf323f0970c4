"""An edition's page in Wagtail's admin: its previews (HTML and plain text), a test to oneself,
send now or at a time, pause, resume, cancel, and the progress of its send (polled)."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from masthead.core.worker import worker_is_running
from masthead.newsletter import editions, sending, tasks
from masthead.newsletter.models import Delivery, Edition, Subscriber

FAILURES_SHOWN = 200
NO_WORKER = "No task worker is running: nothing of this edition goes out until one is started."


def may_send(user):
    return user.has_perm("newsletter.change_edition")


def edition_for(request, pk):
    if not may_send(request.user):
        raise PermissionDenied
    return get_object_or_404(Edition.objects.select_related("newsletter"), pk=pk)


class TestSendForm(forms.Form):
    address = forms.EmailField(label="Send a test to", max_length=254)


class ScheduleForm(forms.Form):
    moment = forms.DateTimeField(
        label="Send at", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def clean_moment(self):
        moment = self.cleaned_data["moment"]
        if moment <= timezone.now():
            raise forms.ValidationError("Choose a moment to come.")
        if moment > timezone.now() + timedelta(days=366):
            raise forms.ValidationError("Choose a moment within a year.")
        return moment


@require_http_methods(["GET", "HEAD"])
def manage(request, pk):
    return edition_page(request, edition_for(request, pk))


def edition_page(request, edition, status=200, test_form=None, schedule_form=None):
    """The edition's page; with a form's errors and what was typed after a bad POST."""
    failures = edition.deliveries.filter(
        status__in=[Delivery.Status.FAILED, Delivery.Status.BOUNCED]
    ).order_by("pk")[:FAILURES_SHOWN]
    return render(
        request,
        "newsletter/admin/edition.html",
        {
            "header_title": "Newsletter edition",
            "page_title": f"Edition: {edition.subject}",
            "header_icon": "mail",
            "edition": edition,
            "progress": sending.progress(edition),
            "recipients": Subscriber.objects.receiving(edition.newsletter).count()
            if edition.editable
            else None,
            "failures": failures,
            "worker_running": worker_is_running(),
            "test_form": test_form or TestSendForm(initial={"address": request.user.email}),
            "schedule_form": schedule_form or ScheduleForm(),
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD"])
def preview(request, pk, kind):
    """The e-mail as it would go out now (or as it went out: the frozen copy), with the links
    of the footer leading to the site."""
    edition = edition_for(request, pk)
    if edition.editable:
        subject, html, text = editions.render(edition)
    else:
        html, text = edition.frozen_html, edition.frozen_text
    home = editions.absolute("/")
    if kind == "text":
        body = editions.personalise(text, home, home)
        return HttpResponse(body, content_type="text/plain; charset=utf-8")
    response = HttpResponse(editions.personalise(html, home, home))
    response["Content-Security-Policy"] = "script-src 'none'"
    return response


@require_http_methods(["GET", "HEAD"])
def progress(request, pk):
    response = JsonResponse(sending.progress(edition_for(request, pk)))
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def act(request, pk):
    edition = edition_for(request, pk)
    action = request.POST.get("action", "")
    back = redirect("newsletter_editions:manage", pk=edition.pk)
    if action == "test":
        form = TestSendForm(request.POST)
        if not form.is_valid():
            messages.error(request, "The test was not sent: give one valid e-mail address.")
            return edition_page(request, edition, 400, test_form=form)
        address = form.cleaned_data["address"]
        transaction.on_commit(lambda: tasks.send_test_edition.enqueue(edition.pk, address))
        messages.success(request, f"A test of this edition is on its way to {address}.")
    elif action in ("send", "schedule") and edition.newsletter.archived:
        messages.error(request, f"“{edition.newsletter}” is archived: it sends nothing more.")
    elif action == "send":
        if sending.start(edition):
            messages.success(request, "Sending has started.")
        else:
            messages.info(request, "This edition is not a draft any more: nothing more was sent.")
    elif action == "schedule":
        form = ScheduleForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Not scheduled: choose a moment to come.")
            return edition_page(request, edition, 400, schedule_form=form)
        moment = form.cleaned_data["moment"]
        if tasks.schedule(edition, moment):
            messages.success(request, f"Scheduled for {timezone.localtime(moment):%Y-%m-%d %H:%M}.")
        else:
            messages.info(request, "This edition is not a draft any more: it was not scheduled.")
    elif action in ("pause", "resume", "cancel"):
        done = getattr(sending, action)(edition)
        past = {"pause": "Paused", "resume": "Resumed", "cancel": "Cancelled"}[action]
        if done:
            messages.success(request, f"{past}.")
        else:
            messages.info(request, f"Nothing to {action}: the edition is {edition.status}.")
    else:
        messages.error(request, "Choose an action on the edition's page.")
        return back
    if action in ("test", "send", "schedule", "resume") and not worker_is_running():
        messages.warning(request, NO_WORKER)
    return back

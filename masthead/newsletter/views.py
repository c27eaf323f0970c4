"""Thin views over subscribing.py.

The sign-up forms sit in cached pages, the same document for every reader, so they carry no
CSRF token; `subscribe` is CSRF-exempt. That is safe because all it can do is send the one
confirmation e-mail to the address typed (which anyone may do from our own form): it changes
nothing until the address's owner follows the link. It is still guarded against other sites'
pages (Sec-Fetch-Site / Origin), robots (the honeypot) and floods (NEWSLETTER_RATE). The
signed-in reader's one click changes their account, so it keeps Django's CSRF check, with the
token account.js gets from /accounts/me/. The links of the e-mails (confirm, preferences,
unsubscribe) are signed: the link is the reader's authority, not a cookie, so their POSTs are
CSRF-exempt too, which RFC 8058's one-click unsubscribe needs (mail clients post it)."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from masthead.core import ratelimit
from masthead.newsletter import links, subscribing
from masthead.newsletter.forms import AccountSubscribeForm, PreferencesForm, SignupForm
from masthead.newsletter.models import NewsletterList

RATE_LIMIT = "newsletter_subscribe"
BAD_LINK = (
    "This link is not valid (any more). Copy the whole link from the e-mail; a confirmation "
    "link works for {days} days, after which you can sign up again."
)


def private_page(request, template, context, status=200):
    response = render(request, f"newsletter/{template}", context, status=status)
    add_never_cache_headers(response)
    return response


def message(request, text, status=200, heading="Newsletters"):
    return private_page(request, "message.html", {"message": text, "heading": heading}, status)


def bad_link(request):
    days = links.CONFIRM_MAX_AGE // 86400
    return message(request, BAD_LINK.format(days=days), 400, "This link does not work")


def from_our_pages(request):
    """Whether a POST comes from a page of this site: browsers say so in Sec-Fetch-Site, or
    in Origin. A client that sends neither is not a browser another site could drive."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    ours = {*settings.CSRF_TRUSTED_ORIGINS, f"{request.scheme}://{request.get_host()}"}
    return origin in ours


@require_safe
def newsletter_page(request):
    """The newsletters and their sign-up form: one cached document for every reader."""
    lists = subscribing.offered_lists()
    form = SignupForm(lists=lists, auto_id="newsletter-page-%s")
    return render(request, "newsletter/newsletter_page.html", {"lists": lists, "form": form})


@require_safe
def check_your_inbox(request):
    return render(request, "newsletter/check_your_inbox.html", {})


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request):
    if request.method != "POST":
        return redirect("newsletter:page")
    if not from_our_pages(request):
        return message(
            request,
            "This form can only be sent from our own pages. Please sign up on our newsletter page.",
            403,
        )
    lists = subscribing.offered_lists()
    form = SignupForm(request.POST, lists=lists, auto_id="newsletter-page-%s")
    if form.is_spam:
        return redirect("newsletter:check_your_inbox")
    status, wait = 400, 0
    if form.is_valid():
        email = form.cleaned_data["email"]
        wait = ratelimit.limited(request, RATE_LIMIT, key=email)
        if wait:
            minutes = ratelimit.minutes(wait)
            form.add_error(
                None,
                f"Too many sign-ups from your connection or for this address in a short time. "
                f"Please wait {minutes} minute{pluralize(minutes)} and send this again.",
            )
            status = 429
        else:
            try:
                subscribing.sign_up(email, form.cleaned_data["lists"])
            except subscribing.SubscribeError as error:
                form.add_error(None, str(error))
            else:
                # The same answer whether the address was new, waiting or subscribed already.
                return redirect("newsletter:check_your_inbox")
    response = private_page(request, "signup_page.html", {"form": form, "lists": lists}, status)
    if wait:
        response["Retry-After"] = str(wait)
    return response


@require_safe
@never_cache
def me(request):
    """What the cached forms cannot say: the signed-in reader's address and the lists they are
    on. The CSRF token of the one-click subscription is the one /accounts/me/ gives."""
    user = request.user
    if not user.is_authenticated:
        return JsonResponse({"signed_in": False})
    email, verified = subscribing.account_address(user)
    subscribed = set()
    for subscriber in subscribing.subscribers_of(user):
        subscribed |= subscribing.current_lists(subscriber)
    return JsonResponse(
        {
            "signed_in": True,
            "email": email,
            "verified": verified,
            "lists": sorted(subscribed),
            "subscribe_url": reverse("newsletter:subscribe_account"),
        }
    )


@require_POST
def subscribe_account(request):
    """The signed-in reader's one click (CSRF-protected: it acts for the account)."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("newsletter:page"))
    lists = subscribing.offered_lists()
    form = AccountSubscribeForm(request.POST, lists=lists)
    if not form.is_valid():
        return message(request, " ".join(form.errors["lists"]), 400)
    wait = ratelimit.limited(request, RATE_LIMIT, key=f"user:{request.user.pk}")
    if wait:
        minutes = ratelimit.minutes(wait)
        response = message(
            request,
            f"Too many sign-ups in a short time. Please wait {minutes} "
            f"minute{pluralize(minutes)} and try again.",
            429,
        )
        response["Retry-After"] = str(wait)
        return response
    try:
        outcome, chosen = subscribing.subscribe_account(request.user, form.cleaned_data["lists"])
    except subscribing.SubscribeError as error:
        return message(request, str(error), 400)
    names = ", ".join(newsletter.name for newsletter in chosen)
    if outcome == "subscribed":
        text = f"You are subscribed to {names}. A welcome e-mail is on its way."
    else:
        text = (
            f"Almost done: we sent a link to your address to confirm {names} (your account's "
            f"address is not verified yet)."
        )
    return message(request, text, heading="Subscribed" if outcome == "subscribed" else "Almost")


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """GET shows a button and POST confirms: a mail scanner that opens every link of an
    e-mail does not subscribe anyone."""
    subscriber = links.subscriber_to_confirm(token)
    if subscriber is None:
        return bad_link(request)
    waiting = subscriber.subscriptions.filter(confirmed_at=None, unsubscribed_at=None)
    if request.method == "POST":
        confirmed = subscribing.confirm(subscriber)
        if not confirmed:
            return already_confirmed(request, subscriber)
        names = ", ".join(s.newsletter.name for s in confirmed)
        return private_page(
            request,
            "confirmed.html",
            {"names": names, "preferences_url": links.preferences_url(subscriber)},
        )
    if not waiting.exists():
        return already_confirmed(request, subscriber)
    names = ", ".join(
        waiting.select_related("newsletter").values_list("newsletter__name", flat=True)
    )
    return private_page(request, "confirm.html", {"names": names, "subscriber": subscriber})


def already_confirmed(request, subscriber):
    return private_page(
        request,
        "confirmed.html",
        {"already": True, "preferences_url": links.preferences_url(subscriber)},
    )


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request, token):
    subscriber = links.subscriber_of_preferences(token)
    if subscriber is None:
        return bad_link(request)
    lists = list(NewsletterList.objects.filter(archived=False))
    saved = ""
    status = 200
    if request.method == "POST":
        form = PreferencesForm(request.POST, lists=lists)
        if "leave" in request.POST:
            subscribing.leave_all(subscriber)
            saved = "You have left all our newsletters. We will send you nothing more."
        elif form.is_valid():
            try:
                subscribing.set_lists(subscriber, form.cleaned_data["lists"])
            except subscribing.SubscribeError as error:
                form.add_error(None, str(error))
                status = 400
            else:
                saved = "Your choice is saved."
        else:
            status = 400
    if status == 200:
        current = subscribing.current_lists(subscriber)
        form = PreferencesForm(lists=lists, initial={"lists": [str(pk) for pk in current]})
    context = {"form": form, "subscriber": subscriber, "saved": saved}
    return private_page(request, "preferences.html", context, status)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """GET asks (a link opened by a scanner unsubscribes nobody); POST unsubscribes, from the
    page's button or from a mail client's one click (RFC 8058), without cookie or CSRF token."""
    found = links.subscription_to_end(token)
    if found is None:
        return bad_link(request)
    subscriber, newsletter_id = found
    newsletter = NewsletterList.objects.filter(pk=newsletter_id).first()
    if newsletter is None:
        return message(
            request, "This newsletter no longer exists, so it sends you nothing any more.", 404
        )
    context = {
        "newsletter": newsletter,
        "preferences_url": links.preferences_url(subscriber),
    }
    if request.method == "POST":
        subscribing.unsubscribe(subscriber, newsletter_id)
        return private_page(request, "unsubscribed.html", context)
    return private_page(request, "unsubscribe.html", context)

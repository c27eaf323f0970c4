"""The account pages allauth does not have: the reader's state for the cached page (`me`), the
profile, the data download and the deletion. The work is in profiles.py and data.py."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.http import require_http_methods, require_safe

from masthead.accounts.data import delete_account, export_data
from masthead.accounts.forms import DeleteAccountForm, ProfileForm
from masthead.accounts.profiles import avatar_url, display_name, profile_of, update_profile


def private(response):
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_safe
def me(request):
    """What differs per reader on a cached page, asked for once it has loaded: who is signed
    in, what the header's menu links to, and the CSRF token the login dialog posts with."""
    user = request.user
    answer = {
        "signed_in": user.is_authenticated,
        "csrf_token": get_token(request),
        "login_url": reverse("account_login"),
        "signup_url": reverse("account_signup"),
        "password_reset_url": reverse("account_reset_password"),
    }
    if user.is_authenticated:
        answer.update(
            display_name=display_name(user),
            avatar_url=avatar_url(user),
            profile_url=reverse("accounts_profile"),
            logout_url=reverse("account_logout"),
            is_staff=user.is_staff,
            admin_url=reverse("wagtailadmin_home") if user.is_staff else "",
        )
    return private(JsonResponse(answer))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request):
    current = profile_of(request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES)
        if form.is_valid():
            update_profile(
                request.user,
                display_name=form.cleaned_data["display_name"],
                avatar=form.cleaned_data["avatar"],
                remove_avatar=form.cleaned_data["remove_avatar"],
            )
            messages.success(request, "Your profile is saved.")
            return redirect("accounts_profile")
        status = 400
    else:
        form = ProfileForm(initial={"display_name": current.display_name})
        status = 200
    response = render(
        request,
        "accounts/profile.html",
        {"form": form, "profile": current, "shown_name": display_name(request.user)},
        status=status,
    )
    add_never_cache_headers(response)
    return private(response)


@login_required
@require_safe
def export(request):
    """The reader's data as a JSON file to download."""
    body = json.dumps(export_data(request.user, request), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-account.json"'
    return private(response)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete(request):
    form = DeleteAccountForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        delete_account(user)
        response = render(request, "accounts/deleted.html")
        return private(response)
    status = 400 if request.method == "POST" else 200
    response = render(request, "accounts/delete.html", {"form": form}, status=status)
    add_never_cache_headers(response)
    return private(response)

"""Readers never reach the admin; staff of a group that must use two-factor set it up first;
and the marker cookie that tells the page cache (and Varnish) an editor is signed in."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseForbidden
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from masthead.accounts.staff import is_editor, must_set_up_two_factor


def logged_in_now(user):
    """Whether a view logged someone in during this request (login() replaced the lazy user)."""
    return not isinstance(user, SimpleLazyObject) and user.is_authenticated


class AdminAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refused = self.refused(request)
        response = refused or self.get_response(request)
        self.mark(request, response)
        return response

    @staticmethod
    def cookies(request):
        return {
            settings.SESSION_COOKIE_NAME,
            settings.SIGNED_IN_COOKIE_NAME,
            settings.EDITOR_COOKIE_NAME,
        }

    def refused(self, request):
        if not request.path_info.startswith(reverse("wagtailadmin_home")):
            return None
        user = request.user
        if not user.is_authenticated:
            return None  # Wagtail sends them to the login (WAGTAILADMIN_LOGIN_URL)
        if not is_editor(user):
            response = HttpResponseForbidden(
                render_to_string("accounts/admin_refused.html", request=request)
            )
            response["Cache-Control"] = "private, no-store"
            return response
        if must_set_up_two_factor(user):
            messages.info(
                request,
                "Your newsroom asks you to protect your account with two-factor "
                "authentication before you use the admin. Set up an authenticator app here.",
            )
            return redirect("mfa_activate_totp")
        return None

    def mark(self, request, response):
        """The two markers a signed-in browser carries beside its session: one that tells the
        page's script to ask who is signed in (readable by it), and, for editors, one that
        tells the page cache and Varnish to give them fresh pages. Set at login, cleared at
        logout (or when stale)."""
        user = request.user
        if not set(request.COOKIES) & self.cookies(request) and not logged_in_now(user):
            return  # nobody signed in, nor signing in: the session is not read (no Vary: Cookie)
        signed_in = user.is_authenticated
        editor = signed_in and is_editor(user)
        for name, wanted, script_reads in (
            (settings.SIGNED_IN_COOKIE_NAME, signed_in, True),
            (settings.EDITOR_COOKIE_NAME, editor, False),
        ):
            present = name in request.COOKIES
            if wanted and not present:
                response.set_cookie(
                    name,
                    "1",
                    max_age=settings.SESSION_COOKIE_AGE,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=not script_reads,
                    samesite="Lax",
                )
            elif present and not wanted:
                response.delete_cookie(name, samesite="Lax")

"""Log-in throttling for every login of the site (Wagtail's admin, Django's, and any view that
calls `authenticate()` with the request), by account and by client address.

Failed passwords are counted (`login_failed` in core.ratelimit.LIMITS, the setting
`LOGIN_RATE`); once an account's or an address's allowance is used up, `ThrottledLogins`, the
first authentication backend, refuses every attempt until the window has passed, the right
password too, without checking it. A good login forgets the account's failures (not the
address's). The admin's form then says how long to wait."""

import logging

from allauth.account.auth_backends import AuthenticationBackend
from allauth.account.internal.userkit import get_user_by_username
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver
from django.template.defaultfilters import pluralize
from wagtail.admin.forms.auth import LoginForm, PasswordResetForm

from masthead.core import ratelimit

logger = logging.getLogger(__name__)
ACTION = "login_failed"


def account_key(username):
    return (username or "").strip().lower()


def username_of(credentials):
    """What the login was typed with: the e-mail address (allauth's form) or the user name."""
    return (
        credentials.get("email")
        or credentials.get(get_user_model().USERNAME_FIELD)
        or credentials.get("username")
    )


class ThrottledModelBackend(AuthenticationBackend):
    """allauth's backend (a login by e-mail address, or by user name where one is given, as
    Wagtail's form does), which stops `authenticate()` (PermissionDenied) while the account or
    the address is locked out, before looking at the password. Logins without a request (the
    shell, the test client's `login()`) are not counted."""

    def authenticate(self, request, **credentials):
        if request is not None:
            wait = ratelimit.throttled(request, ACTION, key=account_key(username_of(credentials)))
            if wait:
                request.login_throttled = wait
                logger.warning("Login throttled for %s", ratelimit.client_address(request))
                raise PermissionDenied
        return super().authenticate(request, **credentials)

    def _authenticate_by_username(self, username, password):
        """Editors log in to Wagtail's own form by user name; readers' form asks for the
        e-mail address only (ACCOUNT_LOGIN_METHODS)."""
        if not username:
            return None
        return self._check_password(get_user_by_username(username), password)


@receiver(user_login_failed)
def count_failure(sender, credentials, request=None, **kwargs):
    if request is not None and not getattr(request, "login_throttled", 0):
        ratelimit.limited(request, ACTION, key=account_key(username_of(credentials)))


@receiver(user_logged_in)
def forget_failures(sender, request, user, **kwargs):
    if request is not None:
        ratelimit.clear(request, ACTION, account_key(user.get_username()))


def throttled_message(seconds):
    minutes = ratelimit.minutes(seconds)
    return (
        f"Too many failed attempts to log in to this account or from your connection. "
        f"Please wait {minutes} minute{pluralize(minutes)} and try again."
    )


class ThrottledLoginForm(LoginForm):
    """Wagtail's login form, which says so when the login was refused for too many failures,
    and which an account protected by two-factor authentication cannot use: it logs in where
    its second factor is asked for (allauth's login, WAGTAILADMIN_LOGIN_URL)."""

    def clean(self):
        try:
            cleaned = super().clean()
        except ValidationError:
            wait = getattr(self.request, "login_throttled", 0)
            if wait:
                raise ValidationError(throttled_message(wait), code="throttled") from None
            raise
        user = self.get_user()
        if user is not None and Authenticator.objects.filter(user=user).exists():
            raise ValidationError(
                "This account uses two-factor authentication: please log in on the site's "
                "login page, which asks for your code.",
                code="two_factor",
            )
        return cleaned


class ThrottledPasswordResetForm(PasswordResetForm):
    """Wagtail's password reset: past `PASSWORD_RESET_RATE` (per address typed and per client
    address) no e-mail goes out. The page that follows is the same either way, so that it tells
    nobody which addresses have accounts or how the limit stands."""

    def save(self, *args, request=None, **kwargs):
        if request is not None:
            key = self.cleaned_data["email"].strip().lower()
            if ratelimit.limited(request, "password_reset", key=key):
                logger.warning("Password reset throttled for %s", ratelimit.client_address(request))
                return
        return super().save(*args, request=request, **kwargs)

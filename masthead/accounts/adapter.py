"""allauth's one override point for Masthead: e-mails that link under SITE_URL and go out through
the task worker, the login throttle's message, and where readers land."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.core.exceptions import ValidationError
from wagtail.models import Site

from masthead.accounts.profiles import display_name
from masthead.core.address import public_url
from masthead.core.logins import throttled_message
from masthead.core.tasks import send_email


def site_name(request=None):
    site = Site.find_for_request(request) if request is not None else None
    site = site or Site.objects.filter(is_default_site=True).first()
    return (site.site_name if site else "") or settings.WAGTAIL_SITE_NAME


QUIET_MESSAGES = {"account/messages/logged_in.txt", "account/messages/logged_out.txt"}


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        """The message allauth renders, with every link in it under SITE_URL (whatever host the
        request came to), sent once by the task worker after the request commits."""
        context = {
            name: public_url(value) if name.endswith("_url") and isinstance(value, str) else value
            for name, value in context.items()
        }
        context.setdefault("site_name", site_name(self.request))
        context["current_site"] = SiteName(context["site_name"], settings.SITE_URL)
        message = self.render_mail(template_prefix, email, context)
        send_email.enqueue(message.subject, message.body, list(message.to))

    def add_message(self, request, level, message_template=None, *args, **kwargs):
        """No "signed in" or "signed out" note: the page a reader lands on is the cached one,
        which shows no messages, so it would wait for their next account page instead."""
        if message_template in QUIET_MESSAGES:
            return
        super().add_message(request, level, message_template, *args, **kwargs)

    def format_email_subject(self, subject):
        return f"{site_name(self.request)}: {subject}"

    def authentication_failed(self, request, **credentials):
        wait = getattr(request, "login_throttled", 0)
        if wait:
            raise ValidationError(throttled_message(wait), code="throttled")

    def get_login_redirect_url(self, request):
        if request.user.is_staff:
            return "/admin/"
        return super().get_login_redirect_url(request)


class SiteName:
    """What allauth's e-mail templates read of `current_site`."""

    def __init__(self, name, url):
        self.name = name
        self.domain = url.split("://", 1)[-1]


class MFAAdapter(DefaultMFAAdapter):
    def get_totp_label(self, user):
        return user.email or user.get_username()

    def get_public_key_credential_user_entity(self, user):
        entity = super().get_public_key_credential_user_entity(user)
        entity["display_name"] = display_name(user)
        return entity

"""The newsletter's e-mails of subscribing, sent by the task worker, each once however often its
task runs (core.tasks.send_once)."""

from django.conf import settings
from django_tasks import task
from wagtail.models import Site

from masthead.core.tasks import send_once
from masthead.newsletter import links
from masthead.newsletter.models import Subscriber, Subscription


def site_name():
    site = Site.objects.filter(is_default_site=True).first()
    return (site.site_name if site else "") or settings.WAGTAIL_SITE_NAME


@task(backend="worker", takes_context=True)
def send_confirmation(context, subscriber_id):
    """The one e-mail of a sign-up, whatever the number of lists: the link that confirms them
    all. It has no List-Unsubscribe: the address is on no list until it is confirmed, and
    ignoring the e-mail is all it takes to stay off."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id, bounced_at=None).first()
    if subscriber is None:
        return
    waiting = list(
        Subscription.objects.filter(
            subscriber=subscriber, confirmed_at=None, unsubscribed_at=None
        ).select_related("newsletter")
    )
    if not waiting:
        return
    name = site_name()
    names = "\n".join(f"- {subscription.newsletter.name}" for subscription in waiting)
    body = (
        f"Someone, we hope you, asked to receive these newsletters of {name} at this address:\n\n"
        f"{names}\n\n"
        f"To confirm, open this link (it works for {links.CONFIRM_MAX_AGE // 86400} days):\n"
        f"{links.confirm_url(subscriber)}\n\n"
        f"If it was not you, ignore this e-mail: you will get nothing more from us.\n"
    )
    send_once(
        f"newsletter-confirm:{context.task_result.id}",
        f"Confirm your subscription to {name}",
        body,
        [subscriber.email],
    )


@task(backend="worker")
def send_welcome(subscription_id):
    """The welcome e-mail of one list, once per confirmation of it."""
    subscription = (
        Subscription.objects.filter(
            pk=subscription_id,
            confirmed_at__isnull=False,
            unsubscribed_at=None,
            subscriber__bounced_at=None,
        )
        .select_related("subscriber", "newsletter")
        .first()
    )
    if subscription is None:
        return
    subscriber, newsletter = subscription.subscriber, subscription.newsletter
    intro = newsletter.welcome_text or newsletter.description
    body = (
        f"Welcome to {newsletter.name}.\n\n"
        + (f"{intro}\n\n" if intro else "")
        + f"Choose your newsletters, or leave them all:\n{links.preferences_url(subscriber)}\n\n"
        f"Unsubscribe from {newsletter.name}:\n{links.unsubscribe_url(subscriber, newsletter)}\n"
    )
    send_once(
        f"newsletter-welcome:{subscription.pk}:{subscription.confirmed_at.timestamp():.6f}",
        f"Welcome to {newsletter.name}",
        body,
        [subscriber.email],
        headers=links.unsubscribe_headers(subscriber, newsletter),
    )

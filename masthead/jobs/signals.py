"""Tell whoever submitted a listing through the public form what the editors decided."""

from django.dispatch import receiver
from wagtail.signals import page_published, workflow_rejected

from masthead.core.tasks import send_email
from masthead.core.templatetags.dates import news_date
from masthead.jobs.models import Listing


def tell_submitter(listing, decision, subject, body):
    if not listing.submitter_email or listing.submitter_notified == decision:
        return
    type(listing).objects.filter(pk=listing.pk).update(submitter_notified=decision)
    listing.submitter_notified = decision
    greeting = f"Dear {listing.submitter_name},\n\n" if listing.submitter_name else ""
    send_email.enqueue(subject, greeting + body, [listing.submitter_email])


@receiver(page_published)
def listing_approved(sender, instance, **kwargs):
    if isinstance(instance, Listing) and instance.submitter_notified != "approved":
        tell_submitter(
            instance,
            "approved",
            f"Your listing is published: {instance.title}",
            f"Thank you: “{instance.title}” is now on {instance.get_site().site_name}:\n"
            f"{instance.full_url}\n\nIt leaves the lists after its closing date, "
            f"{news_date(instance.closing_date)}.\n",
        )


@receiver(workflow_rejected)
def listing_rejected(sender, instance, user=None, **kwargs):
    listing = instance.content_object
    listing = getattr(listing, "specific", listing)
    if not isinstance(listing, Listing):
        return
    task_state = instance.current_task_state
    comment = task_state.specific.get_comment() if task_state else ""
    reason = f"The editors' note:\n\n{comment}\n\n" if comment else ""
    tell_submitter(
        listing,
        "rejected",
        f"Your listing was not published: {listing.title}",
        f"Thank you for submitting “{listing.title}”. Our editors have decided not to publish "
        f"it.\n\n{reason}You are welcome to submit it again with changes.\n",
    )

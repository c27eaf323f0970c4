from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from masthead.pages.models import AdvertisingEnquiry, ContactMessage
from masthead.pages.tasks import email_to_recipients


class Command(BaseCommand):
    help = (
        "E-mail again the contact messages and advertising enquiries whose e-mail has not gone "
        "out (the mail server was down, or their page named no recipient). A message is never "
        "sent twice. Run it from cron, every hour or so."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--minutes",
            type=int,
            default=10,
            help="Leave messages younger than this to the first attempt (default 10).",
        )

    def handle(self, minutes, **options):
        received_before = timezone.now() - timedelta(minutes=minutes)
        for model in (ContactMessage, AdvertisingEnquiry):
            pending = model.objects.filter(emailed_at=None, created_at__lt=received_before)
            pks = list(pending.values_list("pk", flat=True))
            for pk in pks:
                email_to_recipients.enqueue(model._meta.label, pk)
            left = model.objects.filter(pk__in=pks, emailed_at=None).count()
            name = model._meta.verbose_name_plural
            self.stdout.write(
                f"{name.capitalize()}: {len(pks) - left} of {len(pks)} e-mailed now"
                + (f", {left} still not e-mailed (see the log)." if left else ".")
            )

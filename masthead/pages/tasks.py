from django.apps import apps
from django.utils import timezone
from django_tasks import task

from masthead.core.tasks import send_once


@task(backend="worker")
def email_to_recipients(model_label, pk):
    """E-mail a stored reader's message to the addresses its page named, with Reply-To set to
    the sender, and record that it went out. A message already e-mailed is not sent again."""
    entry = apps.get_model(model_label).objects.filter(pk=pk, emailed_at=None).first()
    if entry is None or not entry.recipient_list():  # gone, sent already, or nobody to send to
        return
    send_once(
        f"{model_label}:{pk}",
        entry.email_subject(),
        entry.email_body(),
        entry.recipient_list(),
        reply_to=[entry.email],
    )
    entry.emailed_at = timezone.now()
    entry.save(update_fields=["emailed_at"])

from django.core.mail import EmailMessage, get_connection
from django.utils import timezone
from django_tasks import task

from masthead.core.models import SentEmail


def send_once(key, subject, body, to, reply_to=(), headers=None):
    """Send one plain-text e-mail from the site's address (with extra `headers`, such as
    List-Unsubscribe), unless the one under `key` went out already; returns whether it was
    sent now.

    The record is written as soon as the mail server has accepted the message, before the
    connection is closed, so a task killed afterwards and run again does not send it twice.
    (A worker killed in the few milliseconds between the server's acceptance and that write
    would send it again: the one gap SMTP leaves.)"""
    record, _ = SentEmail.objects.get_or_create(key=key[:200])
    if record.sent_at is not None:
        return False
    connection = get_connection()
    connection.open()
    try:
        EmailMessage(
            subject,
            body,
            to=list(to),
            reply_to=list(reply_to),
            headers=headers,
            connection=connection,
        ).send()
        SentEmail.objects.filter(pk=record.pk).update(sent_at=timezone.now())
    finally:
        connection.close()
    return True


@task(backend="worker", takes_context=True)
def send_email(context, subject, body, to, reply_to=()):
    """Send one plain-text e-mail from the site's address (a task: out of the reader's request
    when a worker runs the tasks), once, however often the task is run."""
    send_once(f"task:{context.task_result.id}", subject, body, to, reply_to)

from django.core.mail import EmailMessage
from django_tasks import task


@task(backend="worker")
def send_email(subject, body, to, reply_to=()):
    """Send one plain-text e-mail from the site's address (a task: out of the reader's request
    when a worker runs the tasks)."""
    EmailMessage(subject, body, to=list(to), reply_to=list(reply_to)).send()

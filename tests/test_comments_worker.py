"""Comment e-mails run by a real task worker (`masthead db_worker`, a process of its own) on
the demo newspaper, through a real SMTP server: a reply's notification enqueued twice is
e-mailed once, with a working unsubscribe link."""

import json
import time

import pytest

from tests.servers import wait_for
from tests.test_worker_recovery import mail_server, worker  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.live, pytest.mark.own_database]

ENQUEUE_TWICE = """
import json
from django.contrib.auth import get_user_model
from masthead.comments.models import Comment
from masthead.comments.tasks import notify_reply
thread = Comment.objects.filter(parent=None, status="approved").order_by("pk").first()
other = get_user_model().objects.exclude(pk=thread.author_id).filter(
    username__contains=".").first()
reply = Comment.objects.create(article=thread.article, author=other, parent=thread,
                               body="A reply for the worker", status="approved")
notify_reply.enqueue(reply.pk)
notify_reply.enqueue(reply.pk)
print(json.dumps([thread.author.email, reply.pk]))
"""

RESULTS = """
import json
from django_tasks_db.models import DBTaskResult
print(json.dumps([r.status for r in DBTaskResult.objects.all()]))
"""


def test_a_reply_notification_enqueued_twice_is_mailed_once_by_the_worker(
    sqlite_site,
    mail_server,  # noqa: F811
):
    mailbox, port = mail_server(hold=None)
    env = sqlite_site.env(EMAIL_URL=f"smtp://127.0.0.1:{port}")
    output = sqlite_site.masthead("shell", "-c", ENQUEUE_TWICE, env=env)
    address, reply_id = json.loads(output.strip().splitlines()[-1])
    running = worker(env)
    try:

        def statuses():
            out = sqlite_site.masthead("shell", "-c", RESULTS, env=env)
            return json.loads(out.strip().splitlines()[-1])

        wait_for(lambda: statuses() == ["SUCCESSFUL", "SUCCESSFUL"], 60, "tasks never ran")
        time.sleep(0.5)  # and nothing more comes
        assert len(mailbox.messages) == 1
        mail = mailbox.messages[0]
        assert mail["To"] == address
        text = mail.get_content()
        assert "A reply for the worker" in text and f"#comment-{reply_id}" in text
        assert "/comments/unsubscribe/" in text
    finally:
        running.terminate()
        running.communicate(timeout=20)

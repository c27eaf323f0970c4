"""What every public form shares: no markup, a honeypot, a per-client rate limit, and e-mail."""

import pytest
from django import forms
from django.test import RequestFactory

from masthead.core.forms import PublicForm
from masthead.core.models import SentEmail
from masthead.core.ratelimit import over_limit
from masthead.core.tasks import send_email, send_once


class NoteForm(PublicForm):
    name = forms.CharField(max_length=50)
    message = forms.CharField(widget=forms.Textarea, max_length=500)


@pytest.mark.parametrize(
    "hostile",
    ["<script>alert(1)</script>", "Hi </p>", "<img src=x onerror=alert(1)>", "<!-- x -->"],
)
def test_markup_is_refused_next_to_the_field(hostile):
    form = NoteForm(data={"name": "Ama", "message": hostile})
    assert not form.is_valid()
    assert "plain text" in form.errors["message"][0]
    assert form["message"].value() == hostile  # what was typed is kept


def test_comparisons_and_arrows_are_plain_text():
    form = NoteForm(data={"name": "Ama", "message": "3 < 4, a -> b and x<5"})
    assert form.is_valid(), form.errors


def test_too_long_text_gets_a_message():
    form = NoteForm(data={"name": "A" * 10_000, "message": "Hello"})
    assert not form.is_valid()
    assert "at most 50 characters" in form.errors["name"][0]


def test_the_honeypot_marks_robots():
    assert NoteForm(data={"name": "Bot", "message": "Buy", "homepage": "http://spam"}).is_spam
    assert not NoteForm(data={"name": "Ama", "message": "Hello", "homepage": ""}).is_spam


def test_rate_limit_counts_per_client_and_scope():
    factory = RequestFactory()
    first = factory.get("/", REMOTE_ADDR="192.0.2.1")
    second = factory.get("/", REMOTE_ADDR="192.0.2.2")
    assert [over_limit(first, "test", "2/60")[0] for _ in range(3)] == [False, False, True]
    assert over_limit(second, "test", "2/60") == (False, 60)
    assert over_limit(first, "other", "2/60") == (False, 60)


def test_send_email_goes_through_smtp(smtp_server, db):
    send_email.enqueue(
        "A subject", "The body.", ["desk@example.org"], reply_to=["reader@example.org"]
    )
    [message] = smtp_server.messages
    assert message["Subject"] == "A subject"
    assert message.recipients == ["desk@example.org"]
    assert message["Reply-To"] == "reader@example.org"
    assert message.get_content().strip() == "The body."


def test_an_email_sent_under_a_key_is_never_sent_again(smtp_server, db):
    assert send_once("listing:7", "Published", "Your listing is up.", ["a@example.org"])
    assert not send_once("listing:7", "Published", "Your listing is up.", ["a@example.org"])
    assert [message["Subject"] for message in smtp_server.messages] == ["Published"]
    assert SentEmail.objects.get(key="listing:7").sent_at is not None

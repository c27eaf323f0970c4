"""What every public form shares: plain text that reads as it says, public web addresses, a
honeypot, and e-mail."""

import pytest
from django import forms
from django.core.exceptions import ValidationError

from masthead.core.forms import PublicForm, public_web_address, validate_phone
from masthead.core.models import SentEmail
from masthead.core.tasks import send_email, send_once


class NoteForm(PublicForm):
    name = forms.CharField(max_length=50)
    message = forms.CharField(widget=forms.Textarea, max_length=500)


@pytest.mark.parametrize(
    "text",
    ["a<b", "Use the <Enter> key", "email me at <tess@example.org>", "<script>x</script>"],
)
def test_angle_brackets_are_plain_text(text):
    form = NoteForm(data={"name": "Ama", "message": text})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["message"] == text


@pytest.mark.parametrize(
    ("field", "hostile", "says"),
    [
        ("name", "\u202eEVIL", "direction"),
        ("message", "Hello \u2067world", "direction"),
        ("name", "Ama\r\nBcc: x@example.org", "one line"),
        ("name", "Ama\u2028Bcc", "one line"),
        ("name", "Ama\tReader", "one line"),
        ("message", "Ding \x07", "control characters"),
        ("message", "Null \x00", "Null characters"),
    ],
)
def test_hidden_characters_are_refused_next_to_the_field(field, hostile, says):
    data = {"name": "Ama", "message": "Hello", field: hostile}
    form = NoteForm(data=data)
    assert not form.is_valid()
    assert says in " ".join(form.errors[field])
    assert form[field].value() == hostile  # what was typed is kept


def test_line_breaks_and_tabs_are_fine_in_a_message():
    form = NoteForm(data={"name": "Ama", "message": "Dear desk,\r\n\r\n\tThanks."})
    assert form.is_valid(), form.errors


def test_too_long_text_gets_a_message():
    form = NoteForm(data={"name": "A" * 10_000, "message": "Hello"})
    assert not form.is_valid()
    assert "at most 50 characters" in form.errors["name"][0]


def test_the_honeypot_marks_robots():
    assert NoteForm(data={"name": "Bot", "message": "Buy", "homepage": "http://spam"}).is_spam
    assert not NoteForm(data={"name": "Ama", "message": "Hello", "homepage": ""}).is_spam


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:22/",
        "http://127.1/",
        "http://2130706433/",
        "http://0x7f.1/",
        "http://10.1.2.3/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[fd00::1]/",
        "http://localhost/",
        "http://printer.local/",
        "http://intranet/",
        "https://example.org:22/",
        "https://example.org:99999/",
        "ftp://example.org/",
        "javascript:alert(1)",
        "//example.org/",
    ],
)
def test_web_addresses_must_be_public(url):
    with pytest.raises(ValidationError):
        public_web_address(url)


@pytest.mark.parametrize(
    "url", ["https://example.org/jobs", "http://jobs.example.co.uk:80/a?b=c", "https://8.8.8.8/"]
)
def test_public_web_addresses_pass(url):
    public_web_address(url)


@pytest.mark.parametrize(
    ("phone", "ok"),
    [
        ("+233 20 123 4567", True),
        ("(020) 7946-0958", True),
        ("1" * 15, True),
        ("1" * 16, False),
        ("1" * 40, False),
        ("12345", False),
        ("call me", False),
        ("+1 (555) 010-9999 ext", False),
    ],
)
def test_phone_numbers(phone, ok):
    if ok:
        validate_phone(phone)
    else:
        with pytest.raises(ValidationError):
            validate_phone(phone)


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

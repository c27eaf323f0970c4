"""What every form a reader can post shares: text that reads as it is, web addresses that lead
out of the site, a trap for robots, and one way through (`take_submission`)."""

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import pluralize
from django.utils.cache import add_never_cache_headers

from masthead.core import ratelimit

# Characters that reorder the text around them: "\u202eEVIL" reads "LIVE" in the admin.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def reject_bidi_controls(value):
    if isinstance(value, str) and BIDI_CONTROLS.intersection(value):
        raise ValidationError(
            "Please remove the invisible characters that change the direction of the text: "
            "they make it read differently from what it says.",
            code="bidi",
        )


def reject_line_breaks(value):
    """A one-line field keeps to one line: a name with a line break would start a line of its
    own in the e-mail (such as a forged "Bcc:")."""
    if isinstance(value, str) and any(
        unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in value
    ):
        raise ValidationError("Please write this on one line.", code="line_break")


def reject_control_characters(value):
    if isinstance(value, str) and any(
        unicodedata.category(char) == "Cc" and char not in "\n\r\t" for char in value
    ):
        raise ValidationError(
            "Please remove the control characters from this text.", code="control"
        )


LOCAL_NAMES = ("localhost", ".localhost", ".local", ".internal", ".lan", ".home.arpa", ".test")


def public_web_address(value):
    """An address any reader can open: http or https, a public host name, the usual port. No
    address of a private network, of this machine or on another port (`http://127.0.0.1:22/`)."""
    if not value:
        return
    parts = urlsplit(value)
    message = "Give a public web address, such as https://example.org/jobs."
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(message, code="scheme")
    host = parts.hostname.rstrip(".").lower()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None and not address.is_global:
        raise ValidationError(message, code="private")
    # No top-level domain is a number: "127.1" or "2130706433" is an address in disguise.
    last_label = host.rsplit(".", 1)[-1]
    if address is None and (
        "." not in host or host.endswith(LOCAL_NAMES) or last_label.isdigit() or host[:2] == "0x"
    ):
        raise ValidationError(message, code="local")
    try:
        port = parts.port
    except ValueError:
        raise ValidationError(message, code="port") from None
    if port not in (None, 80, 443):
        raise ValidationError(message, code="port")


PHONE = re.compile(r"^\+?[0-9(][0-9 ()./-]*$")


def validate_phone(value):
    """Digits, spaces and + ( ) - . /, and as many digits as a telephone number has (E.164:
    at most 15)."""
    if not PHONE.match(value):
        raise ValidationError(
            "Write a phone number with digits, spaces and + ( ) - only.", code="phone"
        )
    if not 6 <= sum(char.isdigit() for char in value) <= 15:
        raise ValidationError("A phone number has between 6 and 15 digits.", code="phone_digits")


class PublicForm(forms.Form):
    """A form open to anyone. Its text is plain text, escaped wherever it is shown (so `a<b` or
    `<tess@example.org>` is fine), but it may not hide what it says: no direction-changing
    characters, no control characters, no line breaks in one-line fields. Web addresses must be
    public. `homepage` is a honeypot that people never see (hidden by CSS, skipped by keyboard
    and screen readers) and robots fill in. `rate_limit` names the limit a kept submission
    counts against (core.ratelimit.LIMITS)."""

    honeypot = "homepage"
    rate_limit = None

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # labels sit above their fields: no colon
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.URLField):
                add_validators(field, public_web_address)
            if isinstance(field, forms.CharField):
                multiline = isinstance(field.widget, forms.Textarea)
                add_validators(
                    field,
                    reject_bidi_controls,
                    reject_control_characters if multiline else reject_line_breaks,
                )
        self.fields[self.honeypot] = forms.CharField(
            required=False,
            label="Leave this field empty",
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )

    @property
    def is_spam(self):
        return bool(self.data.get(self.honeypot))


def add_validators(field, *validators):
    field.validators += [validator for validator in validators if validator not in field.validators]


class PublicModelForm(PublicForm, forms.ModelForm):
    pass


@dataclass
class Submission:
    """How a reader's POST went: `sent` (kept, or a robot's, which is answered as sent), or
    the status to answer the form with (400 refused, 429 over the limit) and the wait."""

    sent: bool = False
    status: int = 200
    wait: int = 0


def take_submission(request, form, keep):
    """The one way a public form is taken: a robot's is answered as sent and dropped; a refused
    form costs nothing; a valid one counts against the form's rate limit and, if allowed, is
    handed to `keep(form)`, which may answer a Submission of its own (a failure it told the form
    about). Past the limit the form gets an error, and keeps what was typed."""
    if request.method != "POST":
        return Submission()
    if form.is_spam:
        return Submission(sent=True)
    if not form.is_valid():
        return Submission(status=400)
    wait = ratelimit.limited(request, form.rate_limit)
    if wait:
        minutes = ratelimit.minutes(wait)
        form.add_error(
            None,
            f"Too many submissions from your connection in a short time. Please wait "
            f"{minutes} minute{pluralize(minutes)} and send this again: what you typed is "
            f"still here.",
        )
        return Submission(status=429, wait=wait)
    return keep(form) or Submission(sent=True)


def form_response(response, submission):
    """The page with the form, answered with the submission's status. The form carries a CSRF
    token tied to the reader's cookie: it is never served from a cache."""
    response.status_code = submission.status
    if submission.status == 429:
        response["Retry-After"] = str(submission.wait)
    add_never_cache_headers(response)
    return response


DAY_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y"]
DAY_HINT = "Day/month/year, such as 31/12/2026."


class DayInput(forms.DateInput):
    """A date typed as the paper writes it (dd/mm/yyyy), whatever the browser's own language:
    a browser's date picker would show mm/dd/yyyy to a reader whose browser is American."""

    input_type = "text"

    def __init__(self, attrs=None):
        attrs = {"placeholder": "dd/mm/yyyy", "autocomplete": "off", "size": 10, **(attrs or {})}
        super().__init__(attrs, format=DAY_FORMATS[0])


def day_field(help_text=DAY_HINT, **kwargs):
    """A date field for readers: dd/mm/yyyy (or the ISO yyyy-mm-dd a date picker sends)."""
    return forms.DateField(
        input_formats=DAY_FORMATS,
        widget=DayInput(),
        help_text=help_text,
        error_messages={"invalid": "Write the date as day/month/year, such as 31/12/2026."},
        **kwargs,
    )

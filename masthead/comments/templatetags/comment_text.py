from django import template
from django.utils.html import urlize
from django.utils.safestring import mark_safe

from masthead.comments.flows import display_name as _display_name
from masthead.core.forms import BIDI_CONTROLS

register = template.Library()

_NEUTRAL = {ord(char): "\ufffd" for char in BIDI_CONTROLS}


@register.filter
def comment_text(body):
    """A comment as readers see it: its text escaped, web addresses made into links that carry
    no weight and open nothing of ours, paragraphs at blank lines. No HTML of the comment is
    ever kept. Direction controls (refused by the form) are shown as a visible mark."""
    text = (body or "").translate(_NEUTRAL)
    linked = urlize(text, nofollow=True, autoescape=True)
    # urlize escapes the text around the links, so this is the only rel="nofollow" left.
    linked = linked.replace('rel="nofollow"', 'rel="nofollow ugc noopener"')
    paragraphs = [part.strip() for part in linked.replace("\r\n", "\n").split("\n\n")]
    return mark_safe(  # noqa: S308 (escaped by urlize above)
        "".join("<p>" + part.replace("\n", "<br>") + "</p>" for part in paragraphs if part)
    )


@register.filter
def display_name(user):
    return _display_name(user)

"""The sign-up forms of cached pages: the same for every reader, rebuilt when an editor
changes a list (`newsletter-lists`). The footer's form is inside every cached page, not an
include: lists change rarely, and an include costs Varnish on every hit (caching/fragments.py)."""

from django.template.loader import render_to_string

from masthead.caching.fragments import fragment
from masthead.caching.store import cached
from masthead.newsletter.forms import SignupForm
from masthead.newsletter.subscribing import offered_lists


def signup_form(place, heading):
    lists = offered_lists()
    if not lists:
        return ""
    form = SignupForm(lists=lists, auto_id=f"newsletter-{place}-%s")
    return render_to_string(
        "newsletter/signup_form.html",
        {"form": form, "place": place, "heading": heading, "lists": lists},
    )


@fragment("newsletter-signup", apart=False)
def footer_form():
    return signup_form("footer", "Our newsletters")


def article_slots(request, article):
    """The article's sign-up, where the seed page had its form (after previous/next)."""
    return {
        "newsletter": cached(
            "newsletter-form:article", lambda: signup_form("article", "Get the news by e-mail")
        )
    }

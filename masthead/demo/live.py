"""The demo's live coverage: a running article of time-stamped entries, two of them key events."""

from datetime import timedelta

from django.utils import timezone

from masthead.articles.models import ArticlePage, LiveEntry

SLUG = "live-city-council-budget-vote"
TITLE = "Live: the city council votes on next year's budget"
# (minutes before now, text, key event)
ENTRIES = [
    (95, "Good morning. Councillors meet at nine to vote on the budget; we follow it here.", False),
    (80, "The session opens. The mayor asks for the vote to be held before noon.", False),
    (62, "<b>The transport amendment passes</b>, 31 votes to 24: bus fares stay frozen.", True),
    (45, "The opposition leader calls the school repairs fund “a start, not a plan”.", False),
    (30, "A short break while the finance committee checks the last amendment's figures.", False),
    (12, "<b>The libraries keep their Sunday hours</b>: the cut is withdrawn.", True),
    (3, "The final vote is expected within the hour.", False),
]


def ensure_live_coverage(section, user):
    """One live article in `section`, unless there is one already; returns whether it was made."""
    if ArticlePage.objects.filter(slug=SLUG).exists():
        return False
    now = timezone.now()
    article = ArticlePage(
        title=TITLE,
        slug=SLUG,
        standfirst="Every amendment and every vote, as it happens.",
        date=now - timedelta(minutes=100),
        owner=user,
        live_coverage=ArticlePage.LIVE_RUNNING,
        body=[
            {
                "type": "paragraph",
                "value": "<p>The council votes today on a budget of cuts and a few new funds. "
                "Our reporters in the chamber add each vote and reaction below.</p>",
            }
        ],
    )
    article.live_entries = [
        LiveEntry(at=now - timedelta(minutes=minutes), text=f"<p>{text}</p>", pinned=pinned)
        for minutes, text, pinned in ENTRIES
    ]
    section.add_child(instance=article)
    article.save_revision(user=user).publish(user=user)
    return True

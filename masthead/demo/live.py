"""The demo's live coverage: one of the section's recent articles (not the newest of all) made a
running live article, with time-stamped entries since it was published, two of them key events."""

from datetime import timedelta

from django.utils import timezone

from masthead.articles.models import ArticlePage, LiveEntry

# (minutes after the article's publication, text, key event)
ENTRIES = [
    (5, "Good morning. We follow the story here as it develops.", False),
    (20, "Our reporter is at the scene; the first statements are expected shortly.", False),
    (40, "<b>Officials confirm the decision</b>: it takes effect from next month.", True),
    (55, "The opposition calls it “a start, not a plan” and asks for a vote.", False),
    (75, "A short pause while the figures are checked.", False),
    (90, "<b>A vote is set for Thursday</b>, the chair says.", True),
    (110, "That is all for now: the next update comes when the session resumes.", False),
]


def ensure_live_coverage(section, user):
    """Make one article of `section` a live article, unless one is already; returns whether."""
    if ArticlePage.objects.exclude(live_coverage="").exists():
        return False
    newest = ArticlePage.objects.published().order_by("-date", "-pk").first()
    article = (
        ArticlePage.objects.descendant_of(section)
        .published()
        .exclude(pk=getattr(newest, "pk", None))
        .order_by("-date", "-pk")
        .first()
    )
    if article is None:
        return False
    now = timezone.now()
    article.live_coverage = ArticlePage.LIVE_RUNNING
    article.live_entries = [
        LiveEntry(
            at=min(article.date + timedelta(minutes=minutes), now),
            text=f"<p>{text}</p>",
            pinned=pinned,
        )
        for minutes, text, pinned in ENTRIES
    ]
    article.save_revision(user=user).publish(user=user)
    return True

"""The demo's readers and their comments: a few discussions under the newest articles, one long
one (more than a page of threads), and a few comments waiting for the moderators."""

import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from masthead.articles.models import ArticlePage
from masthead.comments.models import Comment

READERS = [
    ("Efua", "Boateng"),
    ("Tomás", "Herrera"),
    ("Ingrid", "Solberg"),
    ("Kwame", "Asante"),
    ("Mei", "Lin"),
    ("Priya", "Nair"),
]
OPENINGS = [
    "This is the clearest account of it I have read so far.",
    "I would like to know who pays for this in the end.",
    "The figures in the third paragraph deserve a closer look.",
    "We saw the same thing happen in our town two years ago.",
    "Good reporting. More of this, please.",
    "The article leaves out what the opposition said about it.",
    "Has anyone asked the people who work there?",
    "The official report is here: https://example.org/report",
]
REPLIES = [
    "I agree, and the numbers bear you out.",
    "Not quite: the plan was changed in the spring.",
    "Thanks, I had missed that.",
    "Both can be true at once.",
    "The council meets on Thursday; worth asking them.",
]
LONG_THREAD_COMMENTS = 120
DEMO_PASSWORD = "masthead-reader"


def ensure_readers(passwords=True):
    """The demo's commenting readers; without `passwords`, accounts nobody can log in to."""
    User = get_user_model()
    readers = []
    for first, last in READERS:
        username = f"{first}.{last}".lower()
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username,
                f"{username}@example.org",
                DEMO_PASSWORD if passwords else None,
                first_name=first,
                last_name=last,
            )
        readers.append(user)
    return readers


def ensure_comments(seed=11, passwords=True):
    """Create the demo discussions unless there are comments already; returns how many."""
    if Comment.objects.exists():
        return 0
    rng = random.Random(seed)
    newest = list(ArticlePage.objects.published().defer_streamfields().order_by("-date")[:6])
    if not newest:
        return 0
    with transaction.atomic():
        readers = ensure_readers(passwords)
        made = []
        for index, article in enumerate(newest):
            threads = LONG_THREAD_COMMENTS if index == 0 else rng.randint(1, 6)
            for _ in range(threads):
                made.append(
                    Comment(
                        article=article,
                        author=rng.choice(readers),
                        body=rng.choice(OPENINGS),
                        status=Comment.Status.APPROVED,
                    )
                )
        Comment.objects.bulk_create(made)
        replies = []
        for thread in made[::3]:
            for _ in range(rng.randint(1, 5)):
                replies.append(
                    Comment(
                        article=thread.article,
                        author=rng.choice(readers),
                        parent=thread,
                        body=rng.choice(REPLIES),
                        status=Comment.Status.APPROVED,
                    )
                )
        waiting = [
            Comment(
                article=newest[-1],
                author=readers[i],
                body=f"A first comment from a new reader, waiting for a moderator ({i + 1}).",
                status=Comment.Status.PENDING,
            )
            for i in range(3)
        ]
        Comment.objects.bulk_create(replies + waiting)
        # Each article's discussion spread between its publication and now (never later), the
        # threads before their replies.
        now = timezone.now()
        by_article = {}
        for comment in made + replies:
            by_article.setdefault(comment.article_id, []).append(comment)
        for article in newest:
            discussion = by_article.get(article.pk, [])
            span = (now - article.date) / (len(discussion) + 1)
            for offset, comment in enumerate(discussion, start=1):
                comment.created = article.date + span * offset
        Comment.objects.bulk_update(made + replies, ["created"], batch_size=500)
    return len(made) + len(replies) + len(waiting)

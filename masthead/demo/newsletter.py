"""The demo's newsletters: "Daily Briefing" and "Breaking News", and a few hundred subscribers
who joined over the last months (some left again), so that the admin's chart has a history."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from masthead.newsletter.models import NewsletterList, Subscriber, Subscription

LISTS = [
    (
        "Daily Briefing",
        "daily-briefing",
        "The morning's essential stories, every weekday at seven.",
    ),
    ("Breaking News", "breaking-news", "Only when something big happens, as it happens."),
]
SUBSCRIBERS = 320
DAYS = 180


def ensure_newsletters(seed=12):
    """Create the lists and the demo subscribers unless they are there; returns how many
    subscribers were created."""
    lists = []
    for position, (name, slug, description) in enumerate(LISTS):
        newsletter, _ = NewsletterList.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )
        lists.append(newsletter)
    if Subscriber.objects.filter(email__endswith="@readers.example.org").exists():
        return 0
    rng = random.Random(seed)
    now = timezone.now()
    with transaction.atomic():
        subscribers = Subscriber.objects.bulk_create(
            [
                Subscriber(
                    email=f"reader{number}@readers.example.org",
                    confirmed_at=now - timedelta(days=DAYS * (1 - (number / SUBSCRIBERS) ** 0.7)),
                )
                for number in range(SUBSCRIBERS)
            ]
        )
        subscriptions = []
        for subscriber in subscribers:
            chosen = (
                [lists[0]] if rng.random() < 0.6 else lists if rng.random() < 0.7 else [lists[1]]
            )
            for newsletter in chosen:
                left = None
                if rng.random() < 0.12:
                    left = subscriber.confirmed_at + timedelta(days=rng.uniform(3, 60))
                    left = left if left < now else None
                subscriptions.append(
                    Subscription(
                        subscriber=subscriber,
                        newsletter=newsletter,
                        confirmed_at=subscriber.confirmed_at,
                        unsubscribed_at=left,
                    )
                )
        Subscription.objects.bulk_create(subscriptions)
    return len(subscribers)

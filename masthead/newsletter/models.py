"""Newsletters: the lists readers subscribe to, their subscribers, and who is on which list."""

from django.conf import settings
from django.db import models


class NewsletterList(models.Model):
    """A newsletter readers can subscribe to ("Daily Briefing", "Breaking News")."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.CharField(max_length=300, blank=True)
    # Offered on the sign-up forms; an archived list keeps its subscribers and editions.
    archived = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    welcome_text = models.TextField(
        blank=True,
        max_length=2000,
        help_text="Said in the welcome e-mail a new subscriber gets (plain text).",
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = "newsletter"

    def __str__(self):
        return self.name

    def has_subscribers(self):
        return self.subscriptions.exists()


class SubscriberQuerySet(models.QuerySet):
    def receiving(self, newsletter):
        """The subscribers an edition of `newsletter` goes to: confirmed, not bounced, and on
        the list."""
        return self.filter(
            confirmed_at__isnull=False,
            bounced_at__isnull=True,
            subscriptions__newsletter=newsletter,
            subscriptions__confirmed_at__isnull=False,
            subscriptions__unsubscribed_at__isnull=True,
        )


class Subscriber(models.Model):
    """One e-mail address, confirmed once (double opt-in) whatever the number of its lists."""

    email = models.EmailField(max_length=254, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="newsletter_subscriber",
    )
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    # Set when the address's owner followed the confirmation link; nothing is sent before.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # A hard bounce (SMTP 5xx): nothing more is sent to this address.
    bounced_at = models.DateTimeField(null=True, blank=True)
    bounce_reason = models.CharField(max_length=500, blank=True)

    class Source(models.TextChoices):
        FORM = "form", "sign-up form"
        ACCOUNT = "account", "reader's account"
        IMPORT = "import", "import, confirmed by e-mail"
        IMPORT_CONSENTED = "import-consented", "import, consent given elsewhere"

    # How the address came: an imported one is confirmed without e-mail only on the editor's
    # word that its owner consented.
    source = models.CharField(max_length=20, choices=Source, default=Source.FORM)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return self.email

    def newsletters(self):
        """The lists it is on (or waiting to be): from the admin's prefetch when there is one."""
        current = getattr(self, "current_subscriptions", None)
        if current is None:
            current = self.subscriptions.filter(unsubscribed_at=None).select_related("newsletter")
        return ", ".join(subscription.newsletter.name for subscription in current)


class Subscription(models.Model):
    """A subscriber on a list, from `confirmed_at` (null until the address is confirmed) until
    `unsubscribed_at`."""

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    newsletter = models.ForeignKey(
        NewsletterList, on_delete=models.CASCADE, related_name="subscriptions"
    )
    created = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "newsletter"], name="one_subscription_per_list"
            )
        ]
        indexes = [models.Index(fields=["newsletter", "confirmed_at", "unsubscribed_at"])]

    def __str__(self):
        return f"{self.subscriber} on {self.newsletter}"

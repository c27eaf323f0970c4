"""Newsletters: the lists readers subscribe to, their subscribers, and who is on which list."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from wagtail.blocks import PageChooserBlock, RichTextBlock
from wagtail.fields import StreamField


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


class PastSubscription(models.Model):
    """A time a subscriber was on a list and left, kept when they come back to it (the
    subscription's own dates then start again), so that the history of the list stays true."""

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="past_subscriptions"
    )
    newsletter = models.ForeignKey(NewsletterList, on_delete=models.CASCADE, related_name="+")
    confirmed_at = models.DateTimeField()
    unsubscribed_at = models.DateTimeField()

    def __str__(self):
        return f"{self.subscriber} on {self.newsletter} until {self.unsubscribed_at:%Y-%m-%d}"


class SubscriberImport(models.Model):
    """A CSV import of subscribers, run by the task worker: its rows checked one by one (the
    progress the admin shows), then saved all at once, or nothing when a row is refused."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for the task worker"
        CHECKING = "checking", "Checking the rows"
        SAVING = "saving", "Saving the subscribers"
        DONE = "done", "Imported"
        REFUSED = "refused", "Refused: nothing was imported"

    FINISHED = (Status.DONE, Status.REFUSED)

    created = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    lists = models.ManyToManyField(NewsletterList, blank=True, related_name="+")
    consented = models.BooleanField(default=False)
    # The file, emptied once it is imported or refused.
    text = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.WAITING)
    rows_total = models.PositiveIntegerField(default=0)
    rows_checked = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"Import of {self.created:%Y-%m-%d %H:%M}"

    @property
    def finished(self):
        return self.status in self.FINISHED

    @property
    def percent(self):
        if self.finished:
            return 100
        return round(100 * self.rows_checked / self.rows_total) if self.rows_total else 0


# Editions and their sending (what goes out to the lists).


class Digest(models.Model):
    """A list's edition that assembles itself: the day's top stories and the newest articles of
    chosen sections, sent by the task worker at its time each day or week (no cron)."""

    class Frequency(models.TextChoices):
        DAILY = "daily", "Every day"
        WEEKLY = "weekly", "Every week"

    WEEKDAYS = [
        (0, "Monday"),
        (1, "Tuesday"),
        (2, "Wednesday"),
        (3, "Thursday"),
        (4, "Friday"),
        (5, "Saturday"),
        (6, "Sunday"),
    ]

    newsletter = models.OneToOneField(
        NewsletterList, on_delete=models.CASCADE, related_name="digest"
    )
    enabled = models.BooleanField(default=True, help_text="Untick to stop the digest.")
    frequency = models.CharField(max_length=10, choices=Frequency, default=Frequency.DAILY)
    weekday = models.PositiveSmallIntegerField(
        choices=WEEKDAYS, default=0, help_text="For a weekly digest."
    )
    send_time = models.TimeField(default="07:00", help_text="In the site's time zone.")
    subject = models.CharField(
        max_length=150,
        blank=True,
        help_text="Defaults to the newsletter's name and the date.",
    )
    top_stories = models.BooleanField("the top stories", default=True)
    sections = models.ManyToManyField(
        "sections.SectionPage",
        blank=True,
        related_name="+",
        help_text="The newest articles of these sections follow the top stories.",
    )
    articles_per_section = models.PositiveSmallIntegerField(
        default=4, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    # Articles dated after this are new to the next digest.
    last_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The run the task queue holds; a queued run for another moment does nothing.
    next_run_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "digest"

    def __str__(self):
        return f"Digest of {self.newsletter}"


class Edition(models.Model):
    """One e-mail to a list: composed by an editor, or assembled by the list's digest.

    What goes out is frozen when sending starts (`frozen_*`): editing the edition, its list or
    its subject afterwards changes nothing in the messages of that send."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        SENDING = "sending", "Sending"
        PAUSED = "paused", "Paused"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Cancelled"

    EDITABLE = (Status.DRAFT, Status.SCHEDULED)

    newsletter = models.ForeignKey(
        NewsletterList, on_delete=models.PROTECT, related_name="editions"
    )
    subject = models.CharField(max_length=150)
    preheader = models.CharField(
        max_length=200, blank=True, help_text="The line mail clients show after the subject."
    )
    body = StreamField(
        [
            ("text", RichTextBlock(features=["h2", "h3", "bold", "italic", "link", "ol", "ul"])),
            (
                "article",
                PageChooserBlock(page_type="articles.ArticlePage", icon="doc-full"),
            ),
        ],
        blank=True,
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    scheduled_at = models.DateTimeField(null=True, blank=True, editable=False)
    digest = models.ForeignKey(
        Digest, null=True, blank=True, on_delete=models.SET_NULL, related_name="editions"
    )
    digest_run = models.DateTimeField(null=True, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)

    # Frozen when sending starts; the {{links}} of each subscriber are substituted into them.
    frozen_subject = models.CharField(max_length=150, blank=True, editable=False)
    frozen_html = models.TextField(blank=True, editable=False)
    frozen_text = models.TextField(blank=True, editable=False)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    deliveries_created = models.BooleanField(default=False, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Names the chain of send tasks in charge; a resumed send starts a new one.
    run = models.CharField(max_length=20, blank=True, editable=False)

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["digest", "digest_run"], name="one_edition_per_digest_run"
            )
        ]

    def __str__(self):
        return self.subject

    @property
    def editable(self):
        return self.status in self.EDITABLE


class Delivery(models.Model):
    """An edition's message to one subscriber: created for every recipient when sending
    starts, claimed by a worker, and marked sent right after the mail server accepted it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        CLAIMED = "claimed", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        BOUNCED = "bounced", "Bounced"
        SKIPPED = "skipped", "Not sent"

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    # Frozen with the edition: the address and the subscriber's signed links.
    email = models.EmailField(max_length=254)
    preferences_url = models.CharField(max_length=500)
    unsubscribe_url = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    # "worker id/random" of the worker that claimed it (masthead.core.worker names workers).
    claim = models.CharField(max_length=120, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    retry_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "subscriber"], name="one_delivery_per_subscriber"
            )
        ]
        indexes = [models.Index(fields=["edition", "status"])]

    def __str__(self):
        return f"{self.edition} to {self.email}"

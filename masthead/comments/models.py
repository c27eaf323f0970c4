from django.conf import settings
from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        SPAM = "spam", "Spam"

    article = models.ForeignKey(
        "articles.ArticlePage", on_delete=models.CASCADE, related_name="comments"
    )
    # Null once the reader's account is deleted (the site setting may remove them instead).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    # The comment the reader pressed "Reply" under: the thread's first comment or one of its
    # replies (replies are one level deep, so `parent` is always the thread's first).
    answered = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="answers"
    )
    body = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    # Deleted by its author while it had replies: kept as "comment deleted" to hold them.
    removed = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    edited = models.DateTimeField(null=True, blank=True)
    # Held back by a suspect word (shown to moderators), empty otherwise.
    held_for = models.CharField(max_length=100, blank=True)
    # Keyed hash of the address it came from, only with COMMENTS_KEEP_ADDRESS_HASH.
    address_hash = models.CharField(max_length=64, blank=True)
    # The form's one-time token: a double submit finds the comment it already made.
    token = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created"]
        indexes = [
            models.Index(fields=["article", "status", "parent", "created"]),
            models.Index(fields=["status", "created"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "token"],
                condition=~models.Q(token=""),
                name="comment_token_once_per_author",
            )
        ]

    def __str__(self):
        return f"Comment {self.pk} on {self.article_id}"


class Report(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_reports"
    )
    reason = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    resolved = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="one_report_per_reader")
        ]

    def __str__(self):
        return f"Report on comment {self.comment_id}"


class BannedReader(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_ban"
    )
    reason = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    panels = [FieldPanel("user"), FieldPanel("reason")]

    class Meta:
        verbose_name = "banned reader"

    def __str__(self):
        return str(self.user)


class ModerationWord(models.Model):
    class Kind(models.TextChoices):
        BANNED = "banned", "Banned: the comment is rejected"
        SUSPECT = "suspect", "Suspect: the comment is held for review"

    word = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.SUSPECT)

    panels = [FieldPanel("word"), FieldPanel("kind")]

    class Meta:
        ordering = ["word"]
        verbose_name = "moderation word"

    def __str__(self):
        return self.word


class ReaderPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_preference"
    )
    reply_notifications = models.BooleanField(default=True)

    def __str__(self):
        return f"Comment e-mails of {self.user}"


class DigestRun(models.Model):
    """One moderation digest scheduled per period: the unique period keeps it to one."""

    period = models.DateTimeField(unique=True)
    task_id = models.CharField(max_length=64, blank=True)

    def __str__(self):
        return f"Digest of {self.period:%Y-%m-%d %H:%M}"


@register_setting(icon="comment")
class CommentSettings(BaseSiteSetting):
    class Moderation(models.TextChoices):
        ALL = "all", "Hold every comment for review"
        FIRST = "first", "Hold a reader's first comment only"
        NONE = "none", "Publish at once (banned and suspect words still apply)"

    class DeletedAccounts(models.TextChoices):
        ANONYMISE = "anonymise", 'Keep them, shown as "from a deleted account"'
        REMOVE = "remove", "Remove them"

    moderation = models.CharField(max_length=10, choices=Moderation, default=Moderation.FIRST)
    close_after_days = models.PositiveIntegerField(
        default=30, help_text="Comments close this many days after publication; 0: never."
    )
    deleted_accounts = models.CharField(
        "comments of deleted accounts",
        max_length=10,
        choices=DeletedAccounts,
        default=DeletedAccounts.ANONYMISE,
    )

    panels = [
        FieldPanel("moderation"),
        FieldPanel("close_after_days"),
        FieldPanel("deleted_accounts"),
    ]

    class Meta:
        verbose_name = "comments"

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.html import strip_tags
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import PageViewRestriction

from masthead.caching.scheduling import purge_keys, run_at
from masthead.caching.store import cached, record
from masthead.core.panels import SocialCardPanel


def restricted_paths():
    """The tree paths of the pages with a view restriction (login, password, groups)."""

    def build():
        record("restrictions")
        return list(PageViewRestriction.objects.values_list("page__path", flat=True))

    return cached("restricted-paths", build)


class ViewRestrictionsFromCache:
    """Wagtail checks a page's view restrictions on every view, in two queries; below no
    restricted page there are none to find."""

    def get_view_restrictions(self):
        if not self.alias_of_id and not any(map(self.path.startswith, restricted_paths())):
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()


class SocialFields(models.Model):
    """What a page shows when it is shared or found: its own picture, beside Wagtail's SEO title
    and search description, with fallbacks so that editors only fill them in to override."""

    social_image = models.ForeignKey(
        "images.NewsImage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown when the page is shared; the lead image when empty. Wide: 1200×630.",
    )

    social_panels = [
        MultiFieldPanel(
            [FieldPanel("social_image"), SocialCardPanel()], heading="When shared on social media"
        )
    ]

    class Meta:
        abstract = True

    @property
    def share_title(self):
        return self.seo_title or self.title

    @property
    def share_description(self):
        text = (
            self.search_description or getattr(self, "standfirst", "") or getattr(self, "intro", "")
        )
        return " ".join(strip_tags(text).split())

    @property
    def share_image(self):
        return self.social_image or getattr(self, "lead_image", None)


@register_setting(icon="site")
class SiteSettings(BaseSiteSetting):
    """What the chrome of every page shows: the tagline, the copyright line and the social links."""

    tagline = models.CharField(max_length=255, blank=True)
    copyright_holder = models.CharField(
        max_length=255, blank=True, help_text="Defaults to the site name."
    )
    facebook_url = models.URLField("Facebook", blank=True)
    x_url = models.URLField("X", blank=True)
    instagram_url = models.URLField("Instagram", blank=True)
    youtube_url = models.URLField("YouTube", blank=True)
    linkedin_url = models.URLField("LinkedIn", blank=True)
    feed_full_text = models.BooleanField(
        "full text in feeds",
        default=False,
        help_text="Feeds carry each article's whole text; otherwise its standfirst and a link.",
    )
    publisher_logo = models.ForeignKey(
        "images.NewsImage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=(
            "The paper's logo for search engines (structured data): at least 112 px wide, "
            "on a plain background. A plain monogram is used when empty."
        ),
    )

    panels = [
        FieldPanel("tagline"),
        FieldPanel("copyright_holder"),
        MultiFieldPanel(
            [
                FieldPanel("facebook_url"),
                FieldPanel("x_url"),
                FieldPanel("instagram_url"),
                FieldPanel("youtube_url"),
                FieldPanel("linkedin_url"),
            ],
            heading="Follow us",
        ),
        MultiFieldPanel(
            [FieldPanel("feed_full_text"), FieldPanel("publisher_logo")],
            heading="Feeds and search engines",
        ),
    ]

    class Meta:
        verbose_name = "site settings"

    @property
    def social_links(self):
        links = [
            ("Facebook", self.facebook_url),
            ("X", self.x_url),
            ("Instagram", self.instagram_url),
            ("YouTube", self.youtube_url),
            ("LinkedIn", self.linkedin_url),
        ]
        return [(name, url) for name, url in links if url]


class SentEmail(models.Model):
    """That an e-mail went out, under a key naming what it was for (the task that sent it, a
    reader's message), so that a task run again after its worker died never sends it twice."""

    key = models.CharField(max_length=200, unique=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "sent e-mail"

    def __str__(self):
        return self.key


class WorkerHeartbeat(models.Model):
    """That a task worker was alive at `beat_at`: each `masthead db_worker` writes its row every
    TASKS_WORKER_HEARTBEAT seconds (masthead/core/worker.py), and the admin warns when none is
    recent."""

    worker_id = models.CharField(max_length=64, unique=True)
    backend_name = models.CharField(max_length=32)
    beat_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "task worker heartbeat"

    def __str__(self):
        return self.worker_id


@register_setting(icon="warning")
class BreakingNews(BaseSiteSetting):
    """The banner above every public page while a story breaks: a fragment of its own (ESI in
    a cached page, masthead/core/fragments.py), so that switching it on or off purges only the
    banner, at once, and every cached page shows it from its next request."""

    on = models.BooleanField("show the banner", default=False)
    headline = models.CharField(max_length=200, blank=True)
    link_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="link to a page",
        help_text="The story it opens; or an address below.",
    )
    link_url = models.URLField("or an address", blank=True)
    expires_at = models.DateTimeField(
        "hide it at",
        null=True,
        blank=True,
        help_text=f"Optional; the banner goes by itself then. Times are in {settings.TIME_ZONE}.",
    )

    panels = [
        FieldPanel("on"),
        FieldPanel("headline"),
        FieldPanel("link_page"),
        FieldPanel("link_url"),
        FieldPanel("expires_at"),
    ]

    class Meta:
        verbose_name = "breaking news"
        verbose_name_plural = "breaking news"

    def clean(self):
        if self.on and not self.headline.strip():
            raise ValidationError({"headline": "A banner that is on needs a headline."})
        if self.on and self.expires_at and self.expires_at <= timezone.now():
            raise ValidationError(
                {"expires_at": "This time has passed: the banner would not show."}
            )

    @property
    def showing(self):
        return (
            self.on
            and bool(self.headline.strip())
            and (self.expires_at is None or self.expires_at > timezone.now())
        )

    @property
    def href(self):
        if self.link_page_id and self.link_page.live:
            return self.link_page.url
        return self.link_url

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if self.showing and self.expires_at:
            # The cached banner expires by itself then (it says so); this purges Varnish's too.
            moment = self.expires_at
            transaction.on_commit(lambda: run_at(moment, purge_keys, ["breaking-news"]))

    def cache_purge_keys(self):
        return {"breaking-news"}

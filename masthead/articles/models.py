from itertools import combinations

from django.db import models
from django.db.models import Count, Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.safestring import mark_safe
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from masthead.articles.blocks import ArticleBodyBlock
from masthead.authors.models import Author
from masthead.caching.parts import rendered_part
from masthead.caching.store import record
from masthead.core.models import SocialFields, ViewRestrictionsFromCache
from masthead.core.panels import PublishingPanel, times_are_in
from masthead.core.permissions import OwnPagesPermissionTester
from masthead.images.models import NewsRendition
from masthead.navigation.models import MenuFields

# How many paragraphs come before the inline block of related articles.
INLINE_RELATED_AFTER_PARAGRAPHS = 3
# The largest set of tags a cache key of related lists names (see related_articles).
RELATED_KEY_TAGS = 4
# How often an open page of running live coverage asks for new entries; the poll's answer
# says it again, so that a change here reaches pages already open.
LIVE_POLL_SECONDS = 5
# The renditions a listed article shows (includes/article_card.html, the search results): its
# picture loads only these, not every size ever made of it. Wagtail takes prefetched renditions
# as all there are, so a list showing another size must add it here.
CARD_RENDITIONS = (
    "fill-240x135-c100",
    "fill-400x225-c100",
    "fill-800x450-c100",
    "fill-480x320-c100",
    "fill-800x533-c100",
    "fill-1200x800-c100",
)


def shared_tags_keys(tag_ids, sizes):
    """`tags:3+8`: the key of related lists that an article sharing tags 3 and 8 would enter."""
    ids = sorted(set(tag_ids))
    return {
        "tags:" + "+".join(map(str, combination))
        for size in sizes
        for combination in combinations(ids, size)
    }


class ArticlePageQuerySet(PageQuerySet):
    def published(self):
        """Articles a reader may see: live, and dated no later than now.

        Named apart from Wagtail's `public()` (pages without view restrictions), which it
        does not apply: sections behind a login or password are not supported yet.
        """
        return self.live().filter(date__lte=timezone.now())

    def for_cards(self):
        """What a list of article cards shows, fetched in a fixed number of queries."""
        queryset = (
            self.defer_streamfields()
            .select_related("lead_image")
            .prefetch_related(
                Prefetch(
                    "lead_image__renditions",
                    queryset=NewsRendition.objects.filter(filter_spec__in=CARD_RENDITIONS),
                ),
                Prefetch(
                    "article_authors",
                    queryset=ArticleAuthor.objects.select_related("author").order_by("sort_order"),
                ),
            )
        )
        for extend in hooks.get_hooks(CARD_QUERYSET_HOOK):
            queryset = extend(queryset)
        return queryset


ArticlePageManager = PageManager.from_queryset(ArticlePageQuerySet)


# Hooks that feature apps register (articles knows none of them):
# "article_card_queryset": fn(queryset) -> the queryset of cards with what else they show,
# in the same query (a count);
# "article_cards": fn(articles) records the keys of what the cards show beside the article;
# "article_slots": fn(request, article) -> {slot: html} fills `<!--slot:NAME-->` markers of the
# cached article content ("header", "footer") with parts kept apart from it.
CARD_QUERYSET_HOOK = "article_card_queryset"
CARDS_HOOK = "article_cards"
SLOTS_HOOK = "article_slots"


def slot(name):
    return f"<!--slot:{name}-->"


def attach_sections(articles):
    """Set `section` on each article to its parent page, in one query for the whole list."""
    articles = list(articles)
    for annotate in hooks.get_hooks(CARDS_HOOK):
        annotate(articles)
    parent_paths = {article.path[: -Page.steplen] for article in articles}
    sections = {page.path: page for page in Page.objects.filter(path__in=parent_paths)}
    for article in articles:
        article.section = sections.get(article.path[: -Page.steplen])
        record(f"page:{article.pk}")
        for link in getattr(article, "_prefetched_objects_cache", {}).get("article_authors", ()):
            record(f"author:{link.author_id}")
    record(*(f"page:{section.pk}" for section in sections.values()))
    return articles


def cards(queryset):
    """Evaluate a queryset of articles as cards: with section, authors and lead image."""
    return attach_sections(queryset.for_cards())


class ArticleTag(TaggedItemBase):
    content_object = ParentalKey(
        "articles.ArticlePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ArticleAuthor(Orderable):
    page = ParentalKey(
        "articles.ArticlePage", on_delete=models.CASCADE, related_name="article_authors"
    )
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="article_links")

    panels = [FieldPanel("author")]

    class Meta(Orderable.Meta):
        unique_together = [("page", "author")]


class Correction(Orderable):
    """A dated note of what a published article got wrong and what was put right."""

    page = ParentalKey("articles.ArticlePage", on_delete=models.CASCADE, related_name="corrections")
    made_at = models.DateTimeField("date", default=timezone.now)
    text = models.TextField(max_length=2000, help_text="What was wrong, and what is right.")

    panels = [FieldPanel("made_at"), FieldPanel("text")]

    class Meta(Orderable.Meta):
        verbose_name = "correction"


LIVE_ENTRY_FEATURES = ["bold", "italic", "link", "ul", "ol", "embed"]


class LiveEntry(models.Model):
    """A time-stamped entry of live coverage; a pinned one is a key event, listed first."""

    page = ParentalKey(
        "articles.ArticlePage", on_delete=models.CASCADE, related_name="live_entries"
    )
    at = models.DateTimeField(
        "time",
        null=True,
        blank=True,
        help_text="Leave empty: the entry takes the time it is published.",
    )
    text = RichTextField(features=LIVE_ENTRY_FEATURES, max_length=20000)
    pinned = models.BooleanField("key event", default=False, help_text="Listed under key events.")

    panels = [FieldPanel("at"), FieldPanel("text"), FieldPanel("pinned")]

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "live entry"
        verbose_name_plural = "live entries"

    def __str__(self):
        return f"Entry of {self.at:%Y-%m-%d %H:%M}" if self.at else "New entry"

    def save(self, *args, **kwargs):
        # The admin's editor keeps only what its features allow; an import or a script may not.
        # (Imported here: the converter needs the models loaded.)
        from wagtail.admin.rich_text.converters.editor_html import EditorHTMLConverter

        self.text = EditorHTMLConverter(features=LIVE_ENTRY_FEATURES).to_database_format(self.text)
        if self.at is None:  # saved as the article is published: now is when readers get it
            self.at = timezone.now()
        super().save(*args, **kwargs)


class ArticlePage(ViewRestrictionsFromCache, SocialFields, Page):
    LIVE_RUNNING, LIVE_ENDED = "live", "ended"
    standfirst = models.TextField(
        blank=True, max_length=600, help_text="One or two sentences under the headline."
    )
    date = models.DateTimeField(
        "publication date",
        default=timezone.now,
        db_index=True,
        help_text="Shown on the article; a date in the future keeps it hidden until then.",
    )
    lead_image = models.ForeignKey(
        "images.NewsImage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lead_image_caption = models.CharField("caption", max_length=500, blank=True)
    lead_image_credit = models.CharField(
        "credit", max_length=255, blank=True, help_text="Overrides the credit saved with the image."
    )
    body = StreamField(ArticleBodyBlock(), blank=True)
    tags = ClusterTaggableManager(through=ArticleTag, blank=True)
    show_inline_related = models.BooleanField(
        "show related articles in the body",
        default=True,
        help_text=f"Three related articles after paragraph {INLINE_RELATED_AFTER_PARAGRAPHS}.",
    )
    comments_open = models.BooleanField(
        "open for comments",
        default=True,
        help_text="Untick to close comments on this article (they also close by themselves "
        "after the days the comments settings say).",
    )

    live_coverage = models.CharField(
        "live coverage",
        max_length=5,
        blank=True,
        choices=[("", "No: an ordinary article"), ("live", "Running"), ("ended", "Ended")],
        help_text="Running: readers see new entries without reloading. Ended: the summary shows "
        "above the entries, and updates stop.",
    )
    live_summary = RichTextField(
        "summary",
        blank=True,
        features=LIVE_ENTRY_FEATURES,
        help_text="What happened, shown first once the coverage has ended.",
    )
    live_ended_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ArticlePageManager()

    content_panels = [
        FieldPanel("title", heading="Headline"),
        FieldPanel("standfirst"),
        InlinePanel("article_authors", label="Author", heading="Byline", min_num=0),
        MultiFieldPanel(
            [
                FieldPanel("lead_image"),
                FieldPanel("lead_image_caption"),
                FieldPanel("lead_image_credit"),
            ],
            heading="Lead image",
        ),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("live_coverage"),
                FieldPanel("live_summary"),
                InlinePanel("live_entries", label="Entry", heading="Entries, newest first"),
            ],
            heading="Live coverage",
            help_text="Add an entry and publish: open pages show it within seconds.",
        ),
        FieldPanel("tags"),
        FieldPanel("show_inline_related"),
        InlinePanel(
            "corrections",
            label="Correction",
            heading="Corrections",
            help_text="Shown dated at the end of the article, and counted as a change of it.",
        ),
    ]
    promote_panels = [*Page.promote_panels, *SocialFields.social_panels]
    settings_panels = [
        FieldPanel(
            "date",
            help_text="Shown on the article; a date in the future keeps it hidden until then. "
            + times_are_in(),
        ),
        FieldPanel("comments_open"),
        PublishingPanel(),
        *Page.settings_panels[1:],  # Wagtail's own schedule panel is replaced by the one above
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("standfirst"),
        index.AutocompleteField("standfirst"),
        index.SearchField("body"),
        index.FilterField("date"),
        index.RelatedFields("tags", [index.SearchField("name"), index.AutocompleteField("name")]),
    ]

    parent_page_types = ["sections.SectionPage"]
    subpage_types = []

    class Meta:
        verbose_name = "article"

    def save(self, *args, **kwargs):
        if self.live_coverage == self.LIVE_ENDED and self.live_ended_at is None:
            self.live_ended_at = timezone.now()
        elif self.live_coverage != self.LIVE_ENDED:
            self.live_ended_at = None
        super().save(*args, **kwargs)

    @property
    def is_published(self):
        """The rule of `ArticlePage.objects.published()` for an article already in hand."""
        return self.live and self.date <= timezone.now()

    def modified_at(self, corrections=None):
        """When the article last changed for its readers: published again, or corrected."""
        if corrections is None:
            corrections = [correction.made_at for correction in self.corrections.all()]
        return max([self.date, self.last_published_at or self.date, *corrections])

    def permissions_for_user(self, user):
        return OwnPagesPermissionTester(user, self)

    def serve(self, request, *args, **kwargs):
        if self.date > timezone.now():
            raise Http404
        return super().serve(request, *args, **kwargs)

    def public_from(self):
        return self.date

    def cache_purge_keys(self):
        """Beside the page's own keys: the lists of its tags and authors, the related lists it
        would now enter, every article list, and its neighbours' previous/next."""
        tag_ids = list(self.tagged_items.values_list("tag_id", flat=True))
        keys = {"articles", f"section:{self.path[: -self.steplen]}"}
        keys |= {f"tagged:{tag_id}" for tag_id in tag_ids}
        keys |= shared_tags_keys(tag_ids, range(1, RELATED_KEY_TAGS + 1))
        keys |= {
            f"byline:{author_id}"
            for author_id in self.article_authors.values_list("author_id", flat=True)
        }
        for neighbour in (self.previous_article(), self.next_article()):
            if neighbour is not None:
                keys.add(f"url:{neighbour.pk}")
        return keys

    @property
    def authors(self):
        return [link.author for link in self.article_authors.all()]

    @property
    def image_credit(self):
        return self.lead_image_credit or (self.lead_image.credit if self.lead_image else "")

    # Previous and next as a range of dates with one exclusion, not an OR of two conditions,
    # so that the database walks its date index from this article's date.
    def previous_article(self):
        return (
            ArticlePage.objects.published()
            .filter(date__lte=self.date)
            .exclude(date=self.date, pk__gte=self.pk)
            .defer_streamfields()
            .order_by("-date", "-pk")
            .first()
        )

    def next_article(self):
        return (
            ArticlePage.objects.published()
            .filter(date__gte=self.date)
            .exclude(date=self.date, pk__lte=self.pk)
            .defer_streamfields()
            .order_by("date", "pk")
            .first()
        )

    def related_articles(self, tags, count=9):
        """Articles sharing the most of these tags first, then the newest of the same section.

        An article published later enters this list only if it shares at least as many tags as
        the last one listed (it is newer): the list records the keys of those sets of tags, so
        that a publication purges only the lists it enters (`shared_tags_keys`)."""
        public = ArticlePage.objects.published().exclude(pk=self.pk)
        tag_ids = [tag.pk for tag in tags]
        # Grouped over the tag links alone: grouping article rows would drag their bodies along.
        # The published() rule as joins: a subquery would list every published article first.
        rows = list(
            ArticleTag.objects.filter(
                tag_id__in=tag_ids,
                content_object__live=True,
                content_object__date__lte=timezone.now(),
            )
            .exclude(content_object_id=self.pk)
            .values("content_object_id", "content_object__date")
            .annotate(shared_tags=Count("id"))
            .order_by("-shared_tags", "-content_object__date", "-content_object_id")[:count]
        )
        by_tags = [row["content_object_id"] for row in rows]
        same_section = []
        if len(rows) == count:
            fewest_shared = rows[-1]["shared_tags"]
        else:  # any article sharing a tag, or else of the same section, would enter
            fewest_shared = 1
            record(f"section:{self.path[: -self.steplen]}")
            same_section = list(
                public.filter(path__startswith=self.path[: -self.steplen], depth=self.depth)
                .exclude(pk__in=by_tags)
                .order_by("-date", "-pk")
                .values_list("pk", flat=True)[:count]
            )
        record(*shared_tags_keys(tag_ids, [min(fewest_shared, RELATED_KEY_TAGS)]))
        ids = (by_tags + same_section)[:count]
        found = {article.pk: article for article in cards(ArticlePage.objects.filter(pk__in=ids))}
        return [found[pk] for pk in ids if pk in found]

    def body_with_inline_related(self):
        """The body's blocks, with a marker where the inline related articles go (or None)."""
        blocks = list(self.body)
        paragraphs = 0
        for position, block in enumerate(blocks):
            if block.block_type == "paragraph":
                paragraphs += 1
                if paragraphs == INLINE_RELATED_AFTER_PARAGRAPHS:
                    return blocks[: position + 1], blocks[position + 1 :]
        return blocks, []

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        content = rendered_part(
            request, f"article:{self.pk}", "articles/article_content.html", self.content_context
        )
        for fill in hooks.get_hooks(SLOTS_HOOK):
            for name, html in fill(request, self).items():
                content = content.replace(slot(name), html, 1)
        context["content"] = mark_safe(content)  # noqa: S308 (rendered templates)
        return context

    def content_context(self):
        """What the article shows below the chrome: byline, body, tags, related, previous/next."""
        tags = list(self.tags.order_by("name"))
        authors = [
            link.author
            for link in self.article_authors.select_related("author__photo").order_by("sort_order")
        ]
        related = self.related_articles(tags, 9 if self.show_inline_related else 6)
        inline_related = related[:3] if self.show_inline_related else []
        body_before_related, body_after_related = self.body_with_inline_related()
        previous_article, next_article = self.previous_article(), self.next_article()
        section = self.get_parent()
        corrections = list(self.corrections.order_by("made_at", "pk"))
        live_entries = list(self.live_entries.all()) if self.live_coverage else []
        record(
            f"url:{self.pk}",
            f"page:{section.pk}",
            *(f"tag:{tag.pk}" for tag in tags),
            *(f"author:{author.pk}" for author in authors),
            *(
                f"page:{neighbour.pk}"
                for neighbour in (previous_article, next_article)
                if neighbour is not None
            ),
        )
        return {
            "page": self,
            "tags": tags,
            "authors": authors,
            "inline_related": inline_related,
            "related": related[len(inline_related) :],
            "body_before_related": body_before_related,
            "body_after_related": body_after_related,
            "previous_article": previous_article,
            "next_article": next_article,
            "section": section,
            "corrections": corrections,
            "live_entries": live_entries,
            "key_events": [entry for entry in live_entries if entry.pinned],
            "latest_entry_id": max((entry.pk for entry in live_entries), default=0),
            "live_poll_seconds": LIVE_POLL_SECONDS,
            "share_url": self.get_full_url(),
            "updated_at": self.modified_at([c.made_at for c in corrections])
            if corrections
            else None,
        }


class TopStoriesPage(ViewRestrictionsFromCache, MenuFields, Page):
    """The stories editors put first, in their order: on the home page and at its own address."""

    intro = models.TextField(blank=True, max_length=600)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        InlinePanel("stories", label="Story", heading="Top stories, in order"),
    ]
    promote_panels = [*Page.promote_panels, *MenuFields.menu_panels]
    parent_page_types = ["sections.HomePage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = "top stories"
        verbose_name_plural = "top stories"

    def public_stories(self):
        links = list(self.stories.order_by("sort_order").values_list("article_id", flat=True))
        record(
            *(f"page:{pk}" for pk in links)
        )  # those not public yet too: they appear at their time
        found = {
            article.pk: article
            for article in cards(ArticlePage.objects.published().filter(pk__in=links))
        }
        return [found[pk] for pk in links if pk in found]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["content"] = rendered_part(
            request, f"top-stories:{self.pk}", "articles/top_stories.html", self.content_context
        )
        return context

    def content_context(self):
        record(f"url:{self.pk}")
        return {"page": self, "stories": self.public_stories()}


class TopStory(Orderable):
    page = ParentalKey(TopStoriesPage, on_delete=models.CASCADE, related_name="stories")
    article = models.ForeignKey(ArticlePage, on_delete=models.CASCADE, related_name="+")

    panels = [FieldPanel("article")]

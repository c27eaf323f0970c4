from django.db import models
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from masthead.articles.blocks import ImageBlock, QuoteBlock
from masthead.core.models import SocialFields


class StandardPageBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        features=["bold", "italic", "link", "ol", "ul", "h3", "h4"],
        template="blocks/paragraph.html",
    )
    subheading = blocks.CharBlock(
        max_length=255, icon="title", form_classname="title", template="blocks/subheading.html"
    )
    image = ImageBlock()
    quote = QuoteBlock()


class StandardPage(SocialFields, Page):
    """An editable page such as About, Advertise, Privacy Policy or Contact."""

    intro = models.TextField(blank=True, max_length=600)
    body = StreamField(StandardPageBodyBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    promote_panels = [*Page.promote_panels, *SocialFields.social_panels]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["sections.HomePage", "pages.StandardPage"]
    subpage_types = ["pages.StandardPage"]

    class Meta:
        verbose_name = "standard page"

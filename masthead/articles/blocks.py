from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

from masthead.caching.store import record

PARAGRAPH_FEATURES = ["bold", "italic", "link", "ol", "ul", "superscript", "subscript"]


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    caption = blocks.CharBlock(required=False, max_length=500)
    credit = blocks.CharBlock(
        required=False, max_length=255, help_text="Overrides the credit saved with the image."
    )

    class Meta:
        icon = "image"
        template = "blocks/image_block.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False, max_length=255)

    class Meta:
        icon = "openquote"
        template = "blocks/quote_block.html"


class EmbedWithCaptionBlock(blocks.StructBlock):
    embed = EmbedBlock(help_text="Address of a video, post or audio to embed (YouTube, X, ...).")
    caption = blocks.CharBlock(required=False, max_length=500)

    class Meta:
        icon = "media"
        label = "Embed"
        template = "blocks/embed_block.html"


class ReadAlsoBlock(blocks.StructBlock):
    article = blocks.PageChooserBlock(page_type="articles.ArticlePage")
    label = blocks.CharBlock(required=False, max_length=40, default="Read also")

    class Meta:
        icon = "link"
        label = "Read also"
        template = "blocks/read_also_block.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        # The chosen page came with the body, so its date costs no query; an article not yet
        # published, or dated in the future, would be a link to a 404.
        article = value.get("article")
        if article is not None:
            record(f"page:{article.pk}")  # linked from the moment it is published
        context["linked"] = article if article is not None and article.is_published else None
        return context


class ArticleBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=PARAGRAPH_FEATURES, template="blocks/paragraph.html")
    subheading = blocks.CharBlock(
        max_length=255, icon="title", form_classname="title", template="blocks/subheading.html"
    )
    image = ImageBlock()
    quote = QuoteBlock()
    embed = EmbedWithCaptionBlock()
    read_also = ReadAlsoBlock()

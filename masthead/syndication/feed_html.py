"""Article bodies as HTML for feed readers, for a whole feed in a fixed number of queries.

The page templates render each block on its own, and each image, link or chosen article costs a
query; a feed of twenty full articles would cost a hundred. Here the blocks are read from their
stored form, every picture, chosen article and rich-text link of the feed is fetched at once, and
the markup is the plain kind feed readers expect: no srcset, no scripts, absolute addresses.
"""

import re

from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html, format_html_join
from wagtail.images import get_image_model
from wagtail.rich_text import expand_db_html

from masthead.articles.models import ArticlePage

BODY_IMAGE = "width-1200"
SPLIT = "<!--masthead:feed-block-->"
RELATIVE = re.compile(r'(\s(?:href|src)=")/(?!/)')


def render_bodies(articles, here):
    """Set `feed_html` on each article: its body as self-contained HTML."""
    image_ids, article_ids, rich_text = set(), set(), []
    for article in articles:
        for block in article.body.raw_data:
            value = block.get("value")
            if block["type"] == "image" and isinstance(value, dict):
                image_ids.add(value.get("image"))
            elif block["type"] == "read_also" and isinstance(value, dict):
                article_ids.add(value.get("article"))
            elif block["type"] == "paragraph":
                rich_text.append(value or "")
    images = {}
    if image_ids - {None}:
        images = {
            image.pk: image
            for image in get_image_model()
            .objects.filter(pk__in=image_ids - {None})
            .prefetch_renditions(BODY_IMAGE)
        }
    chosen = {}
    if article_ids - {None}:
        chosen = {
            page.pk: page
            for page in ArticlePage.objects.published()
            .filter(pk__in=article_ids - {None})
            .only("title", "url_path")
        }
    # One pass of Wagtail's rich-text rewriter for every paragraph: links to pages and documents
    # are looked up together.
    expanded = iter(expand_db_html(SPLIT.join(rich_text)).split(SPLIT)) if rich_text else iter(())

    for article in articles:
        parts = []
        for block in article.body.raw_data:
            kind, value = block["type"], block.get("value")
            if kind == "paragraph":
                parts.append(next(expanded))
            elif kind == "subheading":
                parts.append(format_html("<h2>{}</h2>", value))
            elif kind == "quote":
                attribution = value.get("attribution")
                parts.append(
                    format_html(
                        "<blockquote><p>{}</p>{}</blockquote>",
                        linebreaksbr(value.get("text", "")),
                        format_html("<footer>{}</footer>", attribution) if attribution else "",
                    )
                )
            elif kind == "image":
                image = images.get(value.get("image"))
                if image:
                    parts.append(image_html(image, value, here))
            elif kind == "read_also":
                page = chosen.get(value.get("article"))
                if page:
                    parts.append(
                        format_html(
                            '<p><strong>{}:</strong> <a href="{}">{}</a></p>',
                            value.get("label") or "Read also",
                            here.url_for_path(page.url_path),
                            page.title,
                        )
                    )
            elif kind == "embed":
                url = value.get("embed")
                if url:
                    parts.append(
                        format_html('<p><a href="{}">{}</a></p>', url, value.get("caption") or url)
                    )
        html = "\n".join(str(part) for part in parts)
        article.feed_html = RELATIVE.sub(lambda m: m.group(1) + here.root_url + "/", html)
    return articles


def image_html(image, value, here):
    rendition = image.get_rendition(BODY_IMAGE)
    credit = value.get("credit") or image.credit
    caption = format_html_join(
        " ", "{}", ((text,) for text in (value.get("caption"), credit) if text)
    )
    return format_html(
        '<figure><img src="{}" width="{}" height="{}" alt="{}">{}</figure>',
        here.absolute(rendition.url),
        rendition.width,
        rendition.height,
        image.default_alt_text,
        format_html("<figcaption>{}</figcaption>", caption) if caption else "",
    )

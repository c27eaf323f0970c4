"""Keep the search index in step with publishing.

Wagtail reindexes a page on every save through modelsearch's post_save handler, but a page's
tags and bylines are saved after the page row (modelcluster commits child relations after
post_save), so that index entry would miss the tags just added. Publishing sends
`page_published` once everything is saved: index the article again then.
"""

from django.dispatch import receiver
from wagtail.search import index
from wagtail.signals import page_published

from masthead.articles.models import ArticlePage


@receiver(page_published, sender=ArticlePage)
def reindex_published_article(sender, instance, **kwargs):
    index.insert_or_update_object(instance)

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from masthead.articles.models import ArticlePage
from masthead.syndication.models import RemovedPage


@receiver(pre_delete, sender=ArticlePage)
def remember_removed_article(sender, instance, **kwargs):
    """Keep the address of a deleted article that readers may have seen (also when it goes with
    its section), so that it answers 410 Gone."""
    if not (instance.live or instance.first_published_at):
        return  # never public: nobody knows its address
    url_parts = instance.get_url_parts()
    if url_parts is None:
        return
    site_id, _root_url, path = url_parts
    RemovedPage.objects.update_or_create(
        site_id=site_id, path=path[:500], defaults={"title": instance.title[:255]}
    )

"""What purges what: a page published, unpublished, moved or deleted, and any model that says
which keys its changes purge (a `cache_purge_keys()` method), tags, sites and site settings,
and view restrictions."""

from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver
from taggit.models import Tag
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.models import Page, PageViewRestriction, Revision, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from masthead.caching.scheduling import publish_scheduled_pages, purge_when_public, run_at
from masthead.caching.store import purge_on_commit


def ancestor_ids(path):
    """Ids of the pages above the page at `path`, the root and the home page included."""
    step = Page.steplen
    paths = [path[:end] for end in range(step, len(path), step)]
    return list(Page.objects.filter(path__in=paths).values_list("pk", flat=True))


def page_change_keys(page, old_path=None):
    """The keys a change of `page` purges: wherever it is shown, its own document, the lists
    below each page above it (before and after a move), and what its page type adds."""
    keys = {f"page:{page.pk}", f"url:{page.pk}"}
    for path in filter(None, {page.path, old_path}):
        keys |= {f"children:{pk}" for pk in ancestor_ids(path)}
    if page.show_in_menus:
        keys.add("menu")
    specific = page.specific_deferred
    extra = getattr(specific, "cache_purge_keys", None)
    if extra is not None:
        keys |= set(extra())
    return keys


@receiver(page_published)
@receiver(page_unpublished)
def purge_changed_page(sender, instance, **kwargs):
    keys = page_change_keys(instance)
    purge_on_commit(*keys)
    purge_when_public(instance.specific_deferred, keys)
    if instance.live:
        run_at(instance.expire_at, publish_scheduled_pages)


@receiver(post_save, sender=Revision)
def publish_at_its_time(sender, instance, **kwargs):
    """A revision approved to go live later is published by the worker at that time."""
    run_at(instance.approved_go_live_at, publish_scheduled_pages)


@receiver(post_page_move)
def purge_moved_page(sender, instance, parent_page_before, **kwargs):
    old_path = parent_page_before.path + instance.path[-Page.steplen :]
    purge_on_commit(
        *page_change_keys(instance, old_path=old_path), f"children:{parent_page_before.pk}"
    )


@receiver(pre_delete)
def purge_deleted_page(sender, instance, **kwargs):
    if isinstance(instance, Page) and instance.live:
        purge_on_commit(*page_change_keys(instance))


@receiver(post_save)
@receiver(post_delete)
def purge_changed_content(sender, instance, created=False, **kwargs):
    if isinstance(instance, Page):
        # Saving a draft changes nothing readers see; a page made live at once (by an import,
        # the demo or code) is as good as published.
        if created and instance.live:
            purge_changed_page(sender, instance)
        return
    keys = getattr(instance, "cache_purge_keys", None)
    if isinstance(instance, Tag):
        purge_on_commit(f"tag:{instance.pk}", f"tagged:{instance.pk}", "tags")
    elif keys is not None:  # a site setting shown apart from the chrome (breaking news) too
        purge_on_commit(*keys())
    elif isinstance(instance, (Site, BaseSiteSetting)):
        purge_on_commit("settings")
    elif isinstance(instance, PageViewRestriction):
        purge_on_commit("restrictions")

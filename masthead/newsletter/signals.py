from django.conf import settings
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from masthead.accounts.data import collect_export
from masthead.caching.store import purge_on_commit
from masthead.newsletter.models import NewsletterList
from masthead.newsletter.subscribing import LISTS_KEY, account_deleted, reader_newsletters


@receiver(post_save, sender=NewsletterList)
@receiver(post_delete, sender=NewsletterList)
def lists_changed(sender, **kwargs):
    """Every sign-up form shows the lists."""
    purge_on_commit(LISTS_KEY)


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL)
def newsletters_of_a_deleted_account(sender, instance, **kwargs):
    account_deleted(instance)


@receiver(collect_export)
def newsletters_in_the_export(sender, user, **kwargs):
    return reader_newsletters(user)

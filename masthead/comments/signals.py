from django.conf import settings
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from masthead.accounts.data import collect_export
from masthead.comments.flows import account_deleted, reader_comments


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL)
def comments_of_a_deleted_account(sender, instance, **kwargs):
    account_deleted(instance)


@receiver(collect_export)
def comments_in_the_export(sender, user, **kwargs):
    return reader_comments(user)

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "masthead.core"
    label = "core"

    def ready(self):
        from masthead.core import (
            fragments,  # noqa: F401 (registers the breaking-news banner)
            logins,  # noqa: F401 (connects the login throttle's signals)
        )
        from masthead.core.address import sync_after_migrate

        # Once per migrate, after every app's migrations: the default site follows SITE_URL.
        post_migrate.connect(sync_after_migrate, sender=self, dispatch_uid="masthead-site-url")

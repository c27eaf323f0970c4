from django.apps import AppConfig


class SyndicationConfig(AppConfig):
    name = "masthead.syndication"
    verbose_name = "Feeds, sitemaps and structured data"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from masthead.syndication import signals  # noqa: F401 (connects the receivers)

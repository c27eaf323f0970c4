from django.apps import AppConfig


class CachingConfig(AppConfig):
    name = "masthead.caching"
    label = "caching"
    verbose_name = "Page cache"

    def ready(self):
        from masthead.caching import signals  # noqa: F401

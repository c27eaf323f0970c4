from django.apps import AppConfig


class PopularityConfig(AppConfig):
    name = "masthead.popularity"
    label = "popularity"
    verbose_name = "most read"

    def ready(self):
        from masthead.popularity import fragments  # noqa: F401 (registers the most-read blocks)

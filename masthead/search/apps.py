from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "masthead.search"
    label = "masthead_search"  # "wagtailsearch" is Wagtail's
    verbose_name = "Search"

    def ready(self):
        from masthead.search import signals  # noqa: F401  (connects the handlers)

from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "masthead.articles"
    label = "articles"

    def ready(self):
        from masthead.articles import fragments  # noqa: F401 (registers the recent news)

from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "masthead.pages"
    label = "pages"

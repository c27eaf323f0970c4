from django.apps import AppConfig


class AuthorsConfig(AppConfig):
    name = "masthead.authors"
    label = "authors"

from django.apps import AppConfig


class NavigationConfig(AppConfig):
    name = "masthead.navigation"
    label = "navigation"

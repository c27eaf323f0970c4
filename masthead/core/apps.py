from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "masthead.core"
    label = "core"

    def ready(self):
        from masthead.core import logins  # noqa: F401 (connects the login throttle's signals)

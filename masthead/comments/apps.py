from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "masthead.comments"
    label = "comments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from masthead.comments import signals  # noqa: F401

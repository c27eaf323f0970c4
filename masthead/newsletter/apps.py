from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "masthead.newsletter"
    label = "newsletter"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from masthead.newsletter import fragments, signals  # noqa: F401 (registers them)

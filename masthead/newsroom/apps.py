from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    name = "masthead.newsroom"
    label = "newsroom"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Newsroom"

    def ready(self):
        from masthead.newsroom import signals

        signals.connect()
        signals.disconnect_wagtail_workflow_emails()

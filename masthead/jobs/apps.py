from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "masthead.jobs"
    label = "jobs"
    verbose_name = "Jobs & Scholarships"

    def ready(self):
        from masthead.jobs import signals  # noqa: F401

from django.db import models
from django.utils import timezone
from wagtail.models import Site


class RemovedPage(models.Model):
    """The address of a published article that was deleted: it answers 410 Gone, not 404, so that
    search engines drop it at once. A redirect or a new page at the same address takes precedence.
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=500)
    title = models.CharField(max_length=255, blank=True)
    removed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "path"], name="unique_removed_path_per_site")
        ]

    def __str__(self):
        return self.path

from django.db import models
from wagtail.images.models import AbstractImage, AbstractRendition
from wagtail.images.models import Image as WagtailImage


class NewsImage(AbstractImage):
    """A picture with its credit; captions belong to each use of the picture, not to it."""

    credit = models.CharField(
        max_length=255, blank=True, help_text="Photographer or agency, shown after captions."
    )

    admin_form_fields = (*WagtailImage.admin_form_fields, "credit")


class NewsRendition(AbstractRendition):
    image = models.ForeignKey(NewsImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)

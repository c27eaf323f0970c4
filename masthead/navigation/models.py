from django.core.exceptions import ValidationError
from django.db import models
from django.shortcuts import redirect
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Orderable, Page

from masthead.core.models import ViewRestrictionsFromCache


class MenuFields(models.Model):
    """What editors can set on a page for the main menu, beside Wagtail's 'Show in menus'.

    The main menu is the page tree under the home page, three levels deep, in the tree's order:
    editors reorder it by reordering pages, hide an item by unticking 'Show in menus', and add
    external links with a Link page.
    """

    menu_label = models.CharField(
        max_length=60, blank=True, help_text="Shorter title for the menu; the title when empty."
    )
    menu_badge = models.CharField(
        max_length=20, blank=True, help_text='A short flag beside the menu item, such as "New".'
    )

    menu_panels = [
        MultiFieldPanel(
            [FieldPanel("show_in_menus"), FieldPanel("menu_label"), FieldPanel("menu_badge")],
            heading="Main menu",
        )
    ]

    class Meta:
        abstract = True


class LinkPage(ViewRestrictionsFromCache, MenuFields, Page):  # noqa: DJ008 (Page gives __str__)
    """A menu item that leads elsewhere: another site or any address of this one."""

    link_url = models.URLField("address", max_length=500)

    content_panels = [FieldPanel("title"), FieldPanel("link_url")]
    promote_panels = [FieldPanel("slug"), *MenuFields.menu_panels]
    subpage_types = []

    def get_url(self, request=None, current_site=None):
        return self.link_url

    @property
    def url(self):
        return self.link_url

    def serve(self, request, *args, **kwargs):
        return redirect(self.link_url)


@register_setting(icon="list-ul")
class NavigationSettings(BaseSiteSetting, ClusterableModel):
    """The utility menu above the masthead and the footer's 'Navigate site' list."""

    panels = [InlinePanel("utility_links", label="Utility menu link")]

    class Meta:
        verbose_name = "navigation"


class UtilityLink(Orderable):
    settings = ParentalKey(NavigationSettings, related_name="utility_links")
    page = models.ForeignKey(
        Page, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    url = models.URLField(blank=True)
    label = models.CharField(max_length=60, blank=True)

    panels = [FieldPanel("page"), FieldPanel("url"), FieldPanel("label")]

    def clean(self):
        if not self.page and not self.url:
            raise ValidationError("Choose a page or give an address.")
        if self.url and not self.label:
            raise ValidationError({"label": "A link to an address needs a label."})

    def cache_purge_keys(self):
        return ["settings"]

    @property
    def title(self):
        return self.label or (self.page.title if self.page else self.url)

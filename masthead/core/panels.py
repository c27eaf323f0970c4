"""Admin panels: the card a social network draws when a page is shared, and Wagtail's schedule
fields saying the newsroom's time zone."""

from urllib.parse import urlsplit

from django.conf import settings
from wagtail.admin.panels import Panel
from wagtail.admin.panels import PublishingPanel as WagtailPublishingPanel
from wagtail.images import get_image_model
from wagtail.models import Site

SHARE_RENDITION = "fill-1200x630-c100"


def form_value(form, name):
    return form[name].value() if name in form.fields else None


class SocialCardPanel(Panel):
    """The shared card as the form stands.

    The server draws it from the form's values, so a form sent back with errors shows what was
    typed; a small script redraws it while the editor types."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "core/panels/social_card.html"

        class Media:
            css = {"all": ["masthead/admin/social-card.css"]}
            js = ["masthead/admin/social-card.js"]

        def card(self):
            values = {name: form_value(self.form, name) for name in self.form.fields}
            title = values.get("seo_title") or values.get("title") or self.instance.title or ""
            description = (
                values.get("search_description")
                or values.get("standfirst")
                or values.get("intro")
                or ""
            )
            image = None
            image_id = values.get("social_image") or values.get("lead_image")
            if image_id:
                image = get_image_model().objects.filter(pk=image_id).first()
            site = self.instance.get_site() if self.instance.pk else None
            site = site or Site.objects.filter(is_default_site=True).first()
            return {
                "title": " ".join(str(title).split()),
                "description": " ".join(str(description).split()),
                "rendition": image.get_rendition(SHARE_RENDITION) if image else None,
                "domain": urlsplit(site.root_url).hostname if site else "",
            }

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["card"] = self.card()
            return context


def times_are_in():
    return f"Times are in {settings.TIME_ZONE}."


class PublishingPanel(WagtailPublishingPanel):
    """Wagtail's "go live" and "expire" dates, which say the time zone they are entered in."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for child in self.children:
            child.help_text = times_are_in()

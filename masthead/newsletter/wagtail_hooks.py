from django.core.exceptions import ValidationError
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from masthead.newsletter import fragments
from masthead.newsletter.admin_views import NewsletterListViewSet, SubscriberViewSet, may_import
from masthead.newsletter.models import Digest, Edition, NewsletterList


# Subscribing (issue 12): the article's sign-up form, lists and subscribers in the admin.
@hooks.register("article_slots")
def article_slots(request, article):
    return fragments.article_slots(request, article)


# One "Newsletter" menu: lists and subscribers here, editions, digests and the import joining
# it through its submenu hook.
NEWSLETTER_MENU = "register_newsletter_menu_item"


class NewsletterGroup(ViewSetGroup):
    menu_label = "Newsletter"
    menu_icon = "mail"
    menu_order = 230
    items = (NewsletterListViewSet, SubscriberViewSet)
    submenu_hook = NEWSLETTER_MENU


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return may_import(request.user)


@hooks.register(NEWSLETTER_MENU)
def import_menu_item():
    return ImportMenuItem(
        "Import subscribers",
        reverse("newsletter_subscribers:import"),
        icon_name="upload",
        order=5,
    )


@hooks.register("register_admin_viewset")
def register_newsletter_viewsets():
    return NewsletterGroup()


# Editions and their sending (issue 12: masthead/newsletter/edition_views.py).


class EditionForm(WagtailAdminModelForm):
    """An edition is edited until its send starts; what went out stays as it went."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "newsletter" in self.fields:
            current = self.instance.newsletter_id if self.instance.pk else None
            self.fields["newsletter"].queryset = NewsletterList.objects.filter(
                archived=False
            ) | NewsletterList.objects.filter(pk=current)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            status = Edition.objects.filter(pk=self.instance.pk).values_list("status", flat=True)
            if status and status[0] not in Edition.EDITABLE:
                raise ValidationError(
                    "This edition is sent or being sent: its content was frozen when sending "
                    "started and can no longer be changed."
                )
        return cleaned


class EditionViewSet(SnippetViewSet):
    model = Edition
    icon = "mail"
    menu_label = "Editions"
    menu_hook = NEWSLETTER_MENU
    menu_order = 3
    list_filter = ["status", "newsletter"]
    search_fields = ["subject"]
    ordering = ["-created"]
    edit_handler = ObjectList(
        [
            FieldPanel("newsletter"),
            FieldPanel("subject"),
            FieldPanel("preheader"),
            FieldPanel("body"),
        ],
        base_form_class=EditionForm,
    )

    @property
    def list_display(self):
        return [
            "subject",
            "newsletter",
            Column("status", label="Status", accessor="get_status_display"),
            TitleColumn(
                "send",
                label="Preview, send, progress",
                accessor=lambda edition: "Open",
                get_url=lambda edition: reverse("newsletter_editions:manage", args=[edition.pk]),
            ),
            "created",
        ]


class DigestViewSet(SnippetViewSet):
    model = Digest
    icon = "date"
    menu_label = "Digests"
    menu_hook = NEWSLETTER_MENU
    menu_order = 4
    list_display = ["newsletter", "frequency", "send_time", "enabled", "next_run_at"]
    panels = [
        FieldPanel("newsletter"),
        FieldPanel("enabled"),
        MultiFieldPanel(
            [FieldPanel("frequency"), FieldPanel("weekday"), FieldPanel("send_time")],
            heading="When",
        ),
        FieldPanel("subject"),
        MultiFieldPanel(
            [
                FieldPanel("top_stories"),
                FieldPanel("sections"),
                FieldPanel("articles_per_section"),
            ],
            heading="What: the articles dated since the last digest",
        ),
    ]


register_snippet(EditionViewSet)
register_snippet(DigestViewSet)


class EditionSendingViewSet(ViewSet):
    name = "newsletter_editions"
    url_prefix = "newsletter-editions"
    icon = "mail"

    def get_urlpatterns(self):
        from masthead.newsletter import edition_views

        return [
            path("<int:pk>/", edition_views.manage, name="manage"),
            path("<int:pk>/preview.html", edition_views.preview, {"kind": "html"}, name="html"),
            path("<int:pk>/preview.txt", edition_views.preview, {"kind": "text"}, name="text"),
            path("<int:pk>/progress/", edition_views.progress, name="progress"),
            path("<int:pk>/act/", edition_views.act, name="act"),
        ]


@hooks.register("register_admin_viewset")
def register_edition_sending():
    return EditionSendingViewSet()


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def schedule_changed_digest(request, instance):
    if isinstance(instance, Digest):
        from masthead.newsletter.tasks import schedule_digest

        schedule_digest(instance)

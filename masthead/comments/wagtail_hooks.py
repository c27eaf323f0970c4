from django.urls import path
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from masthead.comments import admin_views, display
from masthead.comments.models import BannedReader, ModerationWord


@hooks.register("article_slots")
def article_slots(request, article):
    return display.article_slots(request, article)


@hooks.register("article_card_queryset")
def article_card_queryset(queryset):
    return display.with_comment_counts(queryset)


@hooks.register("article_cards")
def article_cards(articles):
    display.article_cards(articles)


class ModerationViewSet(ViewSet):
    name = "comments_admin"
    url_prefix = "comments-moderation"
    icon = "comment"
    menu_label = "Queues"

    def get_urlpatterns(self):
        return [
            path("", admin_views.queue, name="queue"),
            path("act/", admin_views.act, name="act"),
        ]


class ModerationWordViewSet(SnippetViewSet):
    model = ModerationWord
    icon = "warning"
    menu_label = "Banned and suspect words"
    list_display = ["word", "kind"]
    list_filter = ["kind"]
    search_fields = ["word"]


class BannedReaderViewSet(SnippetViewSet):
    model = BannedReader
    icon = "cross"
    menu_label = "Banned readers"
    list_display = ["user", "reason", "created"]


class CommentsGroup(ViewSetGroup):
    menu_label = "Comments"
    menu_icon = "comment"
    menu_order = 220
    items = (ModerationViewSet, ModerationWordViewSet, BannedReaderViewSet)


register_snippet(CommentsGroup)

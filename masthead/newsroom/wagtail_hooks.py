from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button

from masthead.newsroom import calendar_views, dashboard, views


@hooks.register("register_admin_urls")
def share_urls():
    return [
        path(
            "pages/<int:page_id>/draft-links/",
            views.DraftLinksView.as_view(),
            name="newsroom_shares",
        ),
        path(
            "pages/<int:page_id>/draft-links/<int:share_id>/revoke/",
            views.revoke,
            name="newsroom_revoke_share",
        ),
    ]


@hooks.register("register_page_header_buttons")
def share_button(page, user, view_name, next_url=None):
    if page.depth > 1 and page.permissions_for_user(user).can_edit():
        yield Button(
            "Share draft",
            reverse("newsroom_shares", args=[page.pk]),
            icon_name="link",
            priority=66,
        )


@hooks.register("register_log_actions")
def newsroom_log_actions(actions):
    actions.register_action("newsroom.assign_review", "Assign review", "Review assigned")
    actions.register_action("newsroom.share_draft", "Share draft", "Draft link created")
    actions.register_action("newsroom.revoke_draft", "Withdraw draft link", "Draft link withdrawn")


@hooks.register("register_admin_urls")
def calendar_urls():
    return [
        path("newsroom/calendar/", calendar_views.calendar, name="newsroom_calendar"),
        path(
            "newsroom/calendar/<int:page_id>/move/",
            calendar_views.move,
            name="newsroom_calendar_move",
        ),
        path(
            "newsroom/calendar/<int:page_id>/unschedule/",
            calendar_views.unschedule,
            name="newsroom_calendar_unschedule",
        ),
        path(
            "newsroom/calendar/<int:page_id>/publish/",
            calendar_views.publish,
            name="newsroom_calendar_publish",
        ),
    ]


@hooks.register("register_admin_menu_item")
def calendar_menu_item():
    return MenuItem("Calendar", reverse("newsroom_calendar"), icon_name="calendar-alt", order=150)


@hooks.register("construct_homepage_panels")
def dashboard_panels(request, panels):
    """The editor's dashboard; its review list (with assignee and due date) takes the place of
    Wagtail's own list of pages awaiting review."""
    panels[:] = [panel for panel in panels if panel.name != "workflow_objects_to_moderate"]
    panels.extend(dashboard.panels_for(request.user))


@hooks.register("insert_global_admin_css")
def dashboard_css():
    return format_html('<link rel="stylesheet" href="{}">', static("masthead/admin/dashboard.css"))


@hooks.register("register_admin_urls")
def tag_suggestion_urls():
    return [
        path("newsroom/tag-suggestions/", views.tag_suggestions, name="newsroom_tag_suggestions")
    ]


@hooks.register("insert_editor_css")
def tag_suggestions_css():
    return format_html(
        '<link rel="stylesheet" href="{}">', static("masthead/admin/tag-suggestions.css")
    )


@hooks.register("insert_editor_js")
def tag_suggestions_js():
    return format_html(
        '<script src="{}" defer data-tag-suggestions-url="{}"></script>',
        static("masthead/admin/tag-suggestions.js"),
        reverse("newsroom_tag_suggestions"),
    )

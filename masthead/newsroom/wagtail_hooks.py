from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from masthead.newsroom import views


@hooks.register("register_admin_urls")
def calendar_urls():
    return [
        path("newsroom/calendar/", views.calendar, name="newsroom_calendar"),
        path("newsroom/calendar/<int:page_id>/move/", views.move, name="newsroom_calendar_move"),
        path(
            "newsroom/calendar/<int:page_id>/unschedule/",
            views.unschedule,
            name="newsroom_calendar_unschedule",
        ),
        path(
            "newsroom/calendar/<int:page_id>/publish/",
            views.publish,
            name="newsroom_calendar_publish",
        ),
    ]


@hooks.register("register_admin_menu_item")
def calendar_menu_item():
    return MenuItem("Calendar", reverse("newsroom_calendar"), icon_name="calendar-alt", order=150)

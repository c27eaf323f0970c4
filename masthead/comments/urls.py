from django.urls import path

from masthead.comments import views

app_name = "comments"

urlpatterns = [
    path("me/", views.me, name="me"),
    path("post/<int:article_id>/", views.post_comment, name="post"),
    path("<int:comment_id>/edit/", views.edit_comment, name="edit"),
    path("<int:comment_id>/delete/", views.delete_comment, name="delete"),
    path("<int:comment_id>/report/", views.report_comment, name="report"),
    path("notifications/", views.notifications, name="notifications"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]

from django.urls import include, path

from masthead.accounts import views

urlpatterns = [
    path("me/", views.me, name="accounts_me"),
    path("profile/", views.profile, name="accounts_profile"),
    path("profile/export/", views.export, name="accounts_export"),
    path("profile/delete/", views.delete, name="accounts_delete"),
    path("", include("allauth.urls")),
]

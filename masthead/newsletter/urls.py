from django.urls import path

from masthead.newsletter import views

app_name = "newsletter"
urlpatterns = [
    path("", views.newsletter_page, name="page"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("check-your-inbox/", views.check_your_inbox, name="check_your_inbox"),
    path("me/", views.me, name="me"),
    path("subscribe/account/", views.subscribe_account, name="subscribe_account"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]

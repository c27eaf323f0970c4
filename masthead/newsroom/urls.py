from django.urls import path

from masthead.newsroom import views

app_name = "newsroom"

urlpatterns = [
    path("draft/<str:token>/", views.draft, name="draft"),
]

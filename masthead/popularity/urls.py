from django.urls import path

from masthead.popularity import views

urlpatterns = [path("views/", views.count, name="count_view")]

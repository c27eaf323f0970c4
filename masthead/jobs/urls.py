from django.urls import path

from masthead.jobs.views import organisation_page

urlpatterns = [path("organisations/<str:slug>/", organisation_page, name="organisation")]

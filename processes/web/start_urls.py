from django.urls import path

from processes.web import start

urlpatterns = [
    path("", start.start_list, name="start-list"),
    path("<str:key>/", start.start_form, name="start-form"),
]

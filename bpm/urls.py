"""URL configuration of Baton."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("frontend.urls")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
]

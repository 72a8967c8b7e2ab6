"""URL configuration of Baton."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from processes.web import views as process_views

urlpatterns = [
    path("", include("frontend.urls")),
    path("accounts/", include("accounts.urls")),
    path("processes/", include("processes.web.urls")),
    path("start/", include("processes.web.start_urls")),
    path("tasks/", include("processes.web.task_urls")),
    path("designer/", include("processes.web.designer_urls")),
    path("dashboards/", include("metrics.urls")),
    path("webhooks/", include("webhooks.urls")),
    path("metrics/exports/", include("metrics.export_urls")),
    # Outside /processes/ so that no process key can collide with it.
    path("deploy/", process_views.upload, name="process-upload"),
    path("api/v1/", include("processes.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

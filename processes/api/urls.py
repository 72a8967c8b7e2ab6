from django.urls import include, path
from rest_framework.routers import SimpleRouter

from processes.api import views

# Accept paths with and without the trailing slash ("./xml" and "./diagram.svg" have none).
router = SimpleRouter()
router.trailing_slash = "/?"
router.register("definitions", views.DefinitionViewSet, basename="api-definition")

urlpatterns = [
    path("deployments/", views.DeploymentCreate.as_view(), name="api-deployments"),
    path("", include(router.urls)),
]

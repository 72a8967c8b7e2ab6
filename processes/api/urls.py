from django.urls import include, path
from rest_framework.routers import SimpleRouter

from processes.api import deployments

router = SimpleRouter()
# Accept paths with and without the trailing slash (".../xml" and ".../diagram.svg" have none).
router.trailing_slash = "/?"
router.register("definitions", deployments.DefinitionViewSet, basename="api-definition")

urlpatterns = [
    path("deployments/", deployments.DeploymentCreate.as_view(), name="api-deployments"),
    path("", include(router.urls)),
]

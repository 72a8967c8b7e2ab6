from django.urls import include, path
from rest_framework.routers import SimpleRouter

from processes.api import deployments, drafts, events, runtime

router = SimpleRouter()
# Accept paths with and without the trailing slash (".../xml" and ".../diagram.svg" have none).
router.trailing_slash = "/?"
router.register("definitions", deployments.DefinitionViewSet, basename="api-definition")
router.register("instances", runtime.InstanceViewSet, basename="api-instance")
router.register("tasks", runtime.TaskViewSet, basename="api-task")
router.register("incidents", runtime.IncidentViewSet, basename="api-incident")
router.register("drafts", drafts.DraftViewSet, basename="api-draft")

urlpatterns = [
    path("deployments/", deployments.DeploymentCreate.as_view(), name="api-deployments"),
    path("messages/", events.MessageCreate.as_view(), name="api-messages"),
    path("signals/", events.SignalCreate.as_view(), name="api-signals"),
    path("", include(router.urls)),
]

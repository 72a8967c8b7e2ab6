from django.urls import include, path
from rest_framework.routers import SimpleRouter

from accounts.api import GroupViewSet, TokenViewSet, UserViewSet
from metrics.api import ProcessKpis, ProcessOverview, VersionComparison
from metrics.export_api import EventLogCsv, EventLogXes
from processes.api import deployments, drafts, events, external_tasks, runtime
from webhooks.api import SubscriptionViewSet


class IdRouter(SimpleRouter):
    """Objects are found by their numeric id, so anything else in its place is a 404.

    At most 18 digits: a bigger number would not fit the databases' integers (SQLite refuses
    to bind it at all).
    """

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        return f"(?P<{lookup_prefix}pk>[0-9]{{1,18}})"


router = IdRouter()
# Accept paths with and without the trailing slash (".../xml" and ".../diagram.svg" have none).
router.trailing_slash = "/?"
router.register("definitions", deployments.DefinitionViewSet, basename="api-definition")
router.register("instances", runtime.InstanceViewSet, basename="api-instance")
router.register("tasks", runtime.TaskViewSet, basename="api-task")
router.register("incidents", runtime.IncidentViewSet, basename="api-incident")
router.register("audit", runtime.AuditViewSet, basename="api-audit")
router.register("drafts", drafts.DraftViewSet, basename="api-draft")
router.register("external-tasks", external_tasks.ExternalTaskViewSet,
                basename="api-external-task")
router.register("users", UserViewSet, basename="api-user")
router.register("groups", GroupViewSet, basename="api-group")
router.register("tokens", TokenViewSet, basename="api-token")
router.register("webhooks", SubscriptionViewSet, basename="api-webhook")

urlpatterns = [
    path("deployments/", deployments.DeploymentCreate.as_view(), name="api-deployments"),
    path("messages/", events.MessageCreate.as_view(), name="api-messages"),
    path("signals/", events.SignalCreate.as_view(), name="api-signals"),
    path("metrics/exports/<str:key>.csv", EventLogCsv.as_view(), name="api-export-csv"),
    path("metrics/exports/<str:key>.xes", EventLogXes.as_view(), name="api-export-xes"),
    path("metrics/processes/", ProcessOverview.as_view(), name="api-metrics-overview"),
    path("metrics/processes/<str:key>/", ProcessKpis.as_view(), name="api-metrics-process"),
    path("metrics/processes/<str:key>/compare/", VersionComparison.as_view(),
         name="api-metrics-compare"),
    path("", include(router.urls)),
]

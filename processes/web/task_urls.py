from django.urls import path

from processes.web import inbox

urlpatterns = [
    path("", inbox.inbox, name="inbox"),
    path("group/", inbox.inbox, {"view": "group"}, name="inbox-group"),
    path("done/", inbox.inbox, {"view": "done"}, name="inbox-done"),
    path("<int:pk>/", inbox.task_detail, name="task-detail"),
    path("<int:pk>/claim/", inbox.claim, name="task-claim"),
    path("<int:pk>/complete/", inbox.complete, name="task-complete"),
]

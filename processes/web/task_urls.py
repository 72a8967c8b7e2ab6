from django.urls import path

from processes.web import inbox

urlpatterns = [
    path("", inbox.inbox, name="inbox"),
    path("group/", inbox.inbox, {"view": "group"}, name="inbox-group"),
    path("done/", inbox.inbox, {"view": "done"}, name="inbox-done"),
    path("<int:pk>/", inbox.task_detail, name="task-detail"),
    path("<int:pk>/claim/", inbox.claim, name="task-claim"),
    path("<int:pk>/complete/", inbox.complete, name="task-complete"),
    path("<int:pk>/unclaim/", inbox.unclaim_view, name="task-unclaim"),
    path("<int:pk>/delegate/", inbox.delegate_view, name="task-delegate"),
    path("<int:pk>/resolve/", inbox.resolve_view, name="task-resolve"),
    path("<int:pk>/reassign/", inbox.reassign_view, name="task-reassign"),
    path("<int:pk>/comments/", inbox.comment_view, name="task-comment"),
    path("<int:pk>/attachments/", inbox.attach_view, name="task-attach"),
    path("<int:pk>/attachments/<int:attachment_id>/", inbox.attachment_view, name="task-attachment"),
]

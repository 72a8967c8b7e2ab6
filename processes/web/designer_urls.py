from django.urls import path

from processes.web import designer

urlpatterns = [
    path("", designer.draft_list, name="designer-list"),
    path("new/", designer.draft_new, name="designer-new"),
    path("upload/", designer.draft_upload, name="designer-upload"),
    path("open/<int:definition_pk>/", designer.draft_open, name="designer-open"),
    path("<int:pk>/", designer.designer, name="designer"),
    path("<int:pk>/delete/", designer.draft_delete, name="designer-delete"),
    path("<int:pk>/panel/", designer.panel, name="designer-panel"),
    path("<int:pk>/change/", designer.panel_change, name="designer-change"),
]

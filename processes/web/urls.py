from django.urls import path

from processes.web import views

urlpatterns = [
    path("", views.process_list, name="process-list"),
    path("<str:key>/", views.definition_detail, name="definition-detail"),
    path("<str:key>/v<int:version>/", views.definition_detail, name="definition-version"),
    path("<str:key>/v<int:version>/xml", views.definition_xml, name="definition-xml"),
    path("<str:key>/v<int:version>/diagram.svg", views.definition_svg_file, name="definition-svg"),
    path(
        "<str:key>/v<int:version>/suspend/",
        views.set_suspended, {"suspended": True}, name="definition-suspend",
    ),
    path(
        "<str:key>/v<int:version>/resume/",
        views.set_suspended, {"suspended": False}, name="definition-resume",
    ),
]

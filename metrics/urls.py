from django.urls import path

from metrics import views

urlpatterns = [
    path("", views.overview, name="dashboards"),
    path("<str:key>/", views.process_dashboard, name="process-dashboard"),
    path("<str:key>/compare/", views.comparison, name="process-comparison"),
    path("<str:key>/heatmap.svg", views.heatmap_svg, name="process-heatmap"),
    path("<str:key>/v<int:version>/diagram.bpmn", views.diagram_xml, name="process-diagram-xml"),
]

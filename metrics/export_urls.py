from django.urls import path

from metrics import export_views

urlpatterns = [
    path("<str:key>.csv", export_views.event_log, {"kind": "csv"}, name="export-csv"),
    path("<str:key>.xes", export_views.event_log, {"kind": "xes"}, name="export-xes"),
]

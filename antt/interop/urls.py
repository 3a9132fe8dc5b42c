from django.urls import path

from antt.interop import views

app_name = "interop"

urlpatterns = [
    path("<slug:code>/interop/", views.interop_home, name="home"),
    path("<slug:code>/interop/import-forces/", views.forces_import, name="forces-import"),
    path("<slug:code>/interop/forces-template.xlsx", views.forces_template, name="forces-template"),
    path("<slug:code>/export/geojson", views.export_geojson, name="export-geojson"),
    path("<slug:code>/export/roster.xlsx", views.export_roster, name="export-roster"),
    path("<slug:code>/export/scenario.json", views.export_scenario, name="export-scenario"),
]

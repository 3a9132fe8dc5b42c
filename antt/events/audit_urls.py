"""The URLs of the event's audit trail page and its CSV export; the namespace stays ``audit``."""

from django.urls import path

from antt.events import audit_views as views

app_name = "audit"
urlpatterns = [
    path("events/<slug:code>/audit/", views.audit_list, name="list"),
    path("events/<slug:code>/audit/export.csv", views.audit_export, name="export"),
]

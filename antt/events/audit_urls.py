"""The URL of the event's audit trail page; the namespace stays ``audit`` (``audit:list``)."""

from django.urls import path

from antt.events import audit_views as views

app_name = "audit"

urlpatterns = [path("events/<slug:code>/audit/", views.audit_list, name="list")]

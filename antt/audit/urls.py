from django.urls import path

from antt.audit import views

app_name = "audit"

urlpatterns = [path("events/<slug:code>/audit/", views.audit_list, name="list")]

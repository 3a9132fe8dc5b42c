from django.urls import path

from antt.events import views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("switch/", views.event_switch, name="switch"),
    path("new/", views.event_create, name="create"),
    path("<slug:code>/", views.event_home, name="home"),
    path("<slug:code>/edit/", views.event_edit, name="edit"),
    path("<slug:code>/status/", views.event_status, name="status"),
    path("<slug:code>/members/", views.member_list, name="members"),
    path("<slug:code>/members/<int:membership_id>/", views.member_change, name="member-change"),
    path("<slug:code>/members/<int:membership_id>/remove/", views.member_remove, name="member-remove"),
]

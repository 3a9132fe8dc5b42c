from django.urls import path

from antt.plans import views

app_name = "plans"

urlpatterns = [
    path("<slug:code>/plans/", views.plan_list, name="list"),
    path("<slug:code>/plans/new/", views.plan_create, name="create"),
    path("<slug:code>/plans/<int:plan_id>/", views.plan_detail, name="detail"),
    path("<slug:code>/plans/<int:plan_id>/edit/", views.plan_edit, name="edit"),
    path("<slug:code>/plans/<int:plan_id>/submit/", views.plan_submit, name="submit"),
    path("<slug:code>/plans/<int:plan_id>/return/", views.plan_return, name="return"),
    path("<slug:code>/plans/<int:plan_id>/withdraw/", views.plan_withdraw, name="withdraw"),
    path("<slug:code>/plans/<int:plan_id>/approve/", views.plan_approve, name="approve"),
    path("<slug:code>/plans/<int:plan_id>/diff/", views.version_diff, name="diff"),
    path("<slug:code>/plans/<int:plan_id>/versions/<int:number>/", views.version_detail, name="version"),
]

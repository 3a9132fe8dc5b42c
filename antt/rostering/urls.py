from django.urls import path

from antt.rostering import views

app_name = "rostering"

urlpatterns = [
    path("<slug:code>/solver/", views.run_list, name="run-list"),
    path("<slug:code>/solver/replan/", views.replan, name="replan"),
    path("<slug:code>/solver/officers/", views.officer_search, name="officer-search"),
    path("<slug:code>/solver/<int:run_id>/", views.run_detail, name="run-detail"),
    path("<slug:code>/solver/<int:run_id>/cancel/", views.run_cancel, name="run-cancel"),
    path("<slug:code>/solver/<int:run_id>/apply/", views.run_apply, name="run-apply"),
    path("<slug:code>/solver/<int:run_id>/undo/", views.run_undo, name="run-undo"),
]

from django.urls import path

from antt.forces import views

app_name = "forces"

urlpatterns = [
    path("<slug:code>/officers/", views.officer_list, name="officer-list"),
    path("<slug:code>/officers/<int:officer_id>/account/", views.officer_account, name="officer-account"),
    path("<slug:code>/units/", views.unit_list, name="unit-list"),
]

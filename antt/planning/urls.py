from django.urls import path

from antt.planning import views

app_name = "planning"

urlpatterns = [
    path("<slug:code>/gaps/", views.gap_board, name="gap-board"),
]

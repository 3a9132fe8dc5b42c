from django.urls import path

from antt.documents import views

app_name = "documents"

urlpatterns = [
    path("<slug:code>/documents/", views.document_list, name="list"),
    path("<slug:code>/documents/new/", views.document_create, name="create"),
    path("<slug:code>/documents/<int:document_id>/", views.document_detail, name="detail"),
    path("<slug:code>/documents/<int:document_id>/upload/", views.version_upload, name="upload"),
    path(
        "<slug:code>/documents/<int:document_id>/versions/<int:number>/copy/",
        views.version_download,
        name="download",
    ),
    path(
        "<slug:code>/documents/<int:document_id>/versions/<int:number>/acknowledge/",
        views.version_acknowledge,
        name="acknowledge",
    ),
    path("<slug:code>/documents/<int:document_id>/grants/", views.grant_create, name="grant"),
    path("<slug:code>/documents/<int:document_id>/plans/", views.document_plans, name="plans"),
    path(
        "<slug:code>/documents/<int:document_id>/grants/<int:grant_id>/approve/",
        views.grant_action,
        {"verb": "approve"},
        name="grant-approve",
    ),
    path(
        "<slug:code>/documents/<int:document_id>/grants/<int:grant_id>/revoke/",
        views.grant_action,
        {"verb": "revoke"},
        name="grant-revoke",
    ),
    path(
        "<slug:code>/documents/<int:document_id>/reclassify/",
        views.document_state,
        {"verb": "reclassify"},
        name="reclassify",
    ),
    path(
        "<slug:code>/documents/<int:document_id>/withdraw/",
        views.document_state,
        {"verb": "withdraw"},
        name="withdraw",
    ),
    path(
        "<slug:code>/documents/<int:document_id>/destroy/",
        views.document_state,
        {"verb": "destroy"},
        name="destroy",
    ),
]

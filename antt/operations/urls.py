from django.urls import path

from antt.operations import field_views, views, views_log, views_proof

app_name = "operations"

urlpatterns = [
    path("<slug:code>/field/", field_views.field_app, name="field-app"),
    path("<slug:code>/field/manifest.webmanifest", field_views.manifest, name="field-manifest"),
    path("<slug:code>/field/sw.js", field_views.service_worker, name="field-sw"),
    path("<slug:code>/field/photos/<int:photo_id>/", field_views.photo, name="field-photo"),
    path("<slug:code>/posts/<int:post_id>/code/", field_views.post_code, name="post-code"),
    path("<slug:code>/posts/<int:post_id>/proof/", views_proof.post_proof_settings, name="post-proof"),
    path("<slug:code>/posts/<int:post_id>/proof/tags/", views_proof.nfc_tag_add, name="nfc-tag-add"),
    path(
        "<slug:code>/posts/<int:post_id>/proof/tags/<int:tag_id>/retire/",
        views_proof.nfc_tag_retire,
        name="nfc-tag-retire",
    ),
    path("<slug:code>/gaps/now/", field_views.coverage_now, name="coverage-now"),
    path("<slug:code>/ops/", views.board_page, name="board"),
    path("<slug:code>/ops/live/", views.board_live, name="board-live"),
    path("<slug:code>/ops/map.json", views.board_map, name="board-map"),
    path("<slug:code>/ops/updates.json", views.board_updates, name="board-updates"),
    path("<slug:code>/ops/incidents/", views_log.incident_list, name="incident-list"),
    path("<slug:code>/ops/incidents.csv", views_log.incidents_csv, name="incidents-csv"),
    path("<slug:code>/ops/incidents.geojson", views_log.incidents_geojson, name="incidents-geojson"),
    path("<slug:code>/ops/incidents/new/", views.incident_new, name="incident-new"),
    path("<slug:code>/ops/incidents/<int:incident_id>/", views.incident_detail, name="incident"),
    path("<slug:code>/ops/incidents/<int:incident_id>/act/", views.incident_act, name="incident-act"),
    path(
        "<slug:code>/ops/incidents/<int:incident_id>/dispatch/",
        views.incident_dispatch,
        name="incident-dispatch",
    ),
    path("<slug:code>/ops/responders/<int:responder_id>/", views.responder_move, name="responder-move"),
    path("<slug:code>/ops/gaps/<int:gap_id>/accept/", views.gap_accept, name="gap-accept"),
    path("<slug:code>/ops/escalations/<int:escalation_id>/ack/", views.escalation_ack, name="escalation-ack"),
    path("<slug:code>/ops/me/", views.my_dispatches, name="me"),
    path("<slug:code>/ops/settings/", views.ops_settings, name="settings"),
    path("<slug:code>/ops/log/", views_log.activity_log, name="log"),
    path("<slug:code>/ops/log.csv", views_log.activity_csv, name="log-csv"),
    path("<slug:code>/ops/log/add", views_log.activity_add, name="log-add"),
]

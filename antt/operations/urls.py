from django.urls import path

from antt.operations import field_views

app_name = "operations"

urlpatterns = [
    path("<slug:code>/field/", field_views.field_app, name="field-app"),
    path("<slug:code>/field/manifest.webmanifest", field_views.manifest, name="field-manifest"),
    path("<slug:code>/field/sw.js", field_views.service_worker, name="field-sw"),
    path("<slug:code>/field/photos/<int:photo_id>/", field_views.photo, name="field-photo"),
    path("<slug:code>/posts/<int:post_id>/code/", field_views.post_code, name="post-code"),
    path("<slug:code>/gaps/now/", field_views.coverage_now, name="coverage-now"),
]

from django.urls import path

from antt.planning import views, views_browse

app_name = "planning"

urlpatterns = [
    path("<slug:code>/gaps/", views.gap_board, name="gap-board"),
    # browse (views_browse): map, timelines, lists with diacritics-blind search, site and officer pages
    path("<slug:code>/map/", views_browse.site_map, name="map"),
    path("<slug:code>/map/features.geojson", views_browse.site_map_features, name="map-features"),
    path("<slug:code>/timeline/", views_browse.programme_timeline, name="programme-timeline"),
    path("<slug:code>/duties/", views_browse.duty_timeline, name="duty-timeline"),
    path("<slug:code>/sites/", views_browse.site_list, name="site-list"),
    path("<slug:code>/sites/<int:site_id>/", views_browse.site_detail, name="site-detail"),
    path("<slug:code>/officers/", views_browse.officer_list, name="officer-list"),
    path("<slug:code>/officers/<int:officer_id>/", views_browse.officer_detail, name="officer-detail"),
    path("<slug:code>/units/", views_browse.unit_list, name="unit-list"),
]

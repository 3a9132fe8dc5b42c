from django.urls import path

from antt.planning import views, views_browse

app_name = "planning"

urlpatterns = [
    path("<slug:code>/gaps/", views.gap_board, name="gap-board"),
    # the assignment editor (views): pick a requirement, assign, check, bulk assign; my unit, my duties
    path("<slug:code>/editor/", views.editor_list, name="editor"),
    path(
        "<slug:code>/editor/requirements/<int:requirement_id>/",
        views.editor_requirement,
        name="editor-requirement",
    ),
    path(
        "<slug:code>/editor/requirements/<int:requirement_id>/assign/",
        views.editor_assign,
        name="editor-assign",
    ),
    path(
        "<slug:code>/editor/requirements/<int:requirement_id>/check/",
        views.editor_check,
        name="editor-check",
    ),
    path(
        "<slug:code>/editor/requirements/<int:requirement_id>/bulk/",
        views.editor_bulk,
        name="editor-bulk",
    ),
    path(
        "<slug:code>/editor/assignments/<int:assignment_id>/",
        views.editor_assignment,
        name="editor-assignment",
    ),
    path(
        "<slug:code>/editor/assignments/<int:assignment_id>/unassign/",
        views.editor_unassign,
        name="editor-unassign",
    ),
    path(
        "<slug:code>/editor/assignments/<int:assignment_id>/move/",
        views.editor_move,
        name="editor-move",
    ),
    path("<slug:code>/my-unit/", views.my_unit, name="my-unit"),
    path("<slug:code>/my-duties/", views.my_duties, name="my-duties"),
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

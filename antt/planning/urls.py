from django.urls import path

from antt.planning import views, views_browse, views_deletion, views_editor, views_setup

app_name = "planning"

urlpatterns = [
    path("<slug:code>/gaps/", views.gap_board, name="gap-board"),
    # the assignment editor (views_editor): pick a requirement, assign, check, bulk assign; my unit, my duties
    path("<slug:code>/editor/", views_editor.editor_list, name="editor"),
    path(
        "<slug:code>/editor/requirements/<int:requirement_id>/",
        views_editor.editor_requirement,
        name="editor-requirement",
    ),
    path(
        "<slug:code>/editor/requirements/<int:requirement_id>/assign/",
        views_editor.editor_assign,
        name="editor-assign",
    ),
    path(
        "<slug:code>/editor/requirements/<int:requirement_id>/check/",
        views_editor.editor_check,
        name="editor-check",
    ),
    path(
        "<slug:code>/editor/requirements/<int:requirement_id>/bulk/",
        views_editor.editor_bulk,
        name="editor-bulk",
    ),
    path(
        "<slug:code>/editor/assignments/<int:assignment_id>/",
        views_editor.editor_assignment,
        name="editor-assignment",
    ),
    path(
        "<slug:code>/editor/assignments/<int:assignment_id>/unassign/",
        views_editor.editor_unassign,
        name="editor-unassign",
    ),
    path(
        "<slug:code>/editor/assignments/<int:assignment_id>/move/",
        views_editor.editor_move,
        name="editor-move",
    ),
    path("<slug:code>/my-unit/", views.my_unit, name="my-unit"),
    path("<slug:code>/my-duties/", views.my_duties, name="my-duties"),
    # browse (views_browse): map, timelines, the site list with diacritics-blind search, site and officer pages (officer and unit lists: forces)
    path("<slug:code>/map/", views_browse.site_map, name="map"),
    path("<slug:code>/map/basemap.pmtiles", views_browse.basemap, name="basemap"),
    path("<slug:code>/map/features.geojson", views_browse.site_map_features, name="map-features"),
    path("<slug:code>/timeline/", views_browse.programme_timeline, name="programme-timeline"),
    path("<slug:code>/duties/", views_browse.duty_timeline, name="duty-timeline"),
    path("<slug:code>/sites/", views_browse.site_list, name="site-list"),
    path("<slug:code>/sites/<int:site_id>/", views_browse.site_detail, name="site-detail"),
    path("<slug:code>/officers/<int:officer_id>/", views_browse.officer_detail, name="officer-detail"),
    # building the plan (views_setup): sites drawn on the map, posts, programme and rules, requirements, rest
    path("<slug:code>/setup/", views_setup.setup, name="setup"),
    path("<slug:code>/setup/sites/new/", views_setup.site_form, name="site-new"),
    path("<slug:code>/setup/sites/<int:site_id>/", views_setup.site_form, name="site-edit"),
    path("<slug:code>/setup/sites/<int:site_id>/delete/", views_deletion.site_delete, name="site-delete"),
    path("<slug:code>/setup/posts/new/", views_setup.post_form, name="post-new"),
    path("<slug:code>/setup/posts/<int:post_id>/", views_setup.post_form, name="post-edit"),
    path("<slug:code>/setup/posts/<int:post_id>/delete/", views_deletion.post_delete, name="post-delete"),
    path("<slug:code>/setup/programme/new/", views_setup.item_form, name="item-new"),
    path("<slug:code>/setup/programme/<int:item_id>/", views_setup.item_form, name="item-edit"),
    path("<slug:code>/setup/programme/<int:item_id>/delete/", views_deletion.item_delete, name="item-delete"),
    path("<slug:code>/setup/programme/<int:item_id>/rules/", views_setup.rule_add, name="rule-add"),
    path(
        "<slug:code>/setup/programme/<int:item_id>/rules/<int:rule_id>/delete/",
        views_setup.rule_delete,
        name="rule-delete",
    ),
    path("<slug:code>/setup/requirements/new/", views_setup.requirement_form, name="requirement-new"),
    path(
        "<slug:code>/setup/requirements/<int:requirement_id>/delete/",
        views_setup.requirement_delete,
        name="requirement-delete",
    ),
    path("<slug:code>/setup/rest-rules/", views_setup.rest_rules, name="rest-rules"),
    path("<slug:code>/publish/", views_setup.publish, name="publish"),
]

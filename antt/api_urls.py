"""``/api/v1/``: every app adds its endpoints here."""

from django.urls import include, path

from antt.accounts import api as accounts_api
from antt.events import api as events_api
from antt.events import audit_api
from antt.forces import api as forces_api
from antt.interop import api as interop_api
from antt.operations import api as operations_api
from antt.operations import field_api
from antt.planning import api as planning_api
from antt.plans import api as plans_api
from antt.reports import api as reports_api
from antt.rostering import api as rostering_api

# The phone app's field API first: it is the one under load (position batches every 30 s from every
# officer on duty), and a request checks the patterns in order, so it matches after one prefix instead of ~60.
FIELD = [
    path("today/", field_api.TodayView.as_view(), name="field-today"),
    path("orders-ack/", field_api.AckView.as_view(), name="field-orders-ack"),
    path("check-ins/", field_api.CheckInView.as_view(), name="field-check-ins"),
    path("reports/", field_api.ReportView.as_view(), name="field-reports"),
    path("reports/<uuid:client_id>/photos/", field_api.PhotoView.as_view(), name="field-report-photos"),
    path("sos/", field_api.SosView.as_view(), name="field-sos"),
    path("sos/<int:sos_id>/positions/", field_api.SosPositionView.as_view(), name="field-sos-positions"),
    path("sos/<int:sos_id>/cancel/", field_api.SosCancelView.as_view(), name="field-sos-cancel"),
    path("positions/", field_api.PositionsView.as_view(), name="field-positions"),
    path("coverage-now/", field_api.CoverageNowView.as_view(), name="field-coverage-now"),
]

urlpatterns = [
    path("events/<slug:code>/field/", include(FIELD)),
    path("tokens/", accounts_api.TokenListView.as_view(), name="token-list"),
    path("tokens/<int:token_id>/", accounts_api.TokenDetailView.as_view(), name="token-detail"),
    path("events/", events_api.EventListView.as_view(), name="event-list"),
    path("events/<slug:code>/", events_api.EventDetailView.as_view(), name="event-detail"),
    path("events/<slug:code>/status/", events_api.EventStatusView.as_view(), name="event-status"),
    path("events/<slug:code>/memberships/", events_api.MembershipListView.as_view(), name="membership-list"),
    path(
        "events/<slug:code>/memberships/<int:membership_id>/",
        events_api.MembershipDetailView.as_view(),
        name="membership-detail",
    ),
    path("events/<slug:code>/audit/", audit_api.AuditListView.as_view(), name="audit-list"),
    path("events/<slug:code>/units/", forces_api.UnitListView.as_view(), name="unit-list"),
    path("events/<slug:code>/units/<int:unit_id>/", forces_api.UnitDetailView.as_view(), name="unit-detail"),
    path("events/<slug:code>/skills/", forces_api.SkillListView.as_view(), name="skill-list"),
    path("events/<slug:code>/officers/", forces_api.OfficerListView.as_view(), name="officer-list"),
    path(
        "events/<slug:code>/officers/<int:officer_id>/",
        forces_api.OfficerDetailView.as_view(),
        name="officer-detail",
    ),
    path("events/<slug:code>/sites/", planning_api.SiteListView.as_view(), name="site-list"),
    path(
        "events/<slug:code>/sites/<int:site_id>/", planning_api.SiteDetailView.as_view(), name="site-detail"
    ),
    path("events/<slug:code>/posts/", planning_api.PostListView.as_view(), name="post-list"),
    path(
        "events/<slug:code>/posts/<int:post_id>/", planning_api.PostDetailView.as_view(), name="post-detail"
    ),
    path(
        "events/<slug:code>/programme/", planning_api.ProgrammeItemListView.as_view(), name="programme-list"
    ),
    path(
        "events/<slug:code>/programme/<int:item_id>/",
        planning_api.ProgrammeItemDetailView.as_view(),
        name="programme-detail",
    ),
    path(
        "events/<slug:code>/programme/<int:item_id>/rules/",
        planning_api.RuleListView.as_view(),
        name="rule-list",
    ),
    path(
        "events/<slug:code>/programme/<int:item_id>/rules/preview/",
        planning_api.RulePreviewView.as_view(),
        name="rule-preview",
    ),
    path(
        "events/<slug:code>/programme/<int:item_id>/rules/<int:rule_id>/",
        planning_api.RuleDetailView.as_view(),
        name="rule-detail",
    ),
    path(
        "events/<slug:code>/requirements/",
        planning_api.RequirementListView.as_view(),
        name="requirement-list",
    ),
    path(
        "events/<slug:code>/requirements/<int:requirement_id>/",
        planning_api.RequirementDetailView.as_view(),
        name="requirement-detail",
    ),
    path(
        "events/<slug:code>/assignments/", planning_api.AssignmentListView.as_view(), name="assignment-list"
    ),
    path(
        "events/<slug:code>/assignments/publish/",
        planning_api.AssignmentPublishView.as_view(),
        name="assignment-publish",
    ),
    path(
        "events/<slug:code>/assignments/<int:assignment_id>/",
        planning_api.AssignmentDetailView.as_view(),
        name="assignment-detail",
    ),
    path("events/<slug:code>/coverage", planning_api.CoverageView.as_view(), name="coverage"),
    path("events/<slug:code>/rest-rules/", planning_api.RestRulesView.as_view(), name="rest-rules"),
    path("events/<slug:code>/plans/", plans_api.PlanListView.as_view(), name="plan-list"),
    path("events/<slug:code>/plans/<int:plan_id>/", plans_api.PlanDetailView.as_view(), name="plan-detail"),
    path(
        "events/<slug:code>/plans/<int:plan_id>/versions/",
        plans_api.PlanVersionListView.as_view(),
        name="plan-version-list",
    ),
    path(
        "events/<slug:code>/plans/<int:plan_id>/versions/<int:number>/",
        plans_api.PlanVersionDetailView.as_view(),
        name="plan-version-detail",
    ),
    path("events/<slug:code>/plans/<int:plan_id>/diff/", plans_api.PlanDiffView.as_view(), name="plan-diff"),
    path(
        "events/<slug:code>/plans/<int:plan_id>/submit/",
        plans_api.PlanSubmitView.as_view(),
        name="plan-submit",
    ),
    path(
        "events/<slug:code>/plans/<int:plan_id>/return/",
        plans_api.PlanReturnView.as_view(),
        name="plan-return",
    ),
    path(
        "events/<slug:code>/plans/<int:plan_id>/approve/",
        plans_api.PlanApproveView.as_view(),
        name="plan-approve",
    ),
    path(
        "events/<slug:code>/solver-runs/", rostering_api.SolverRunListView.as_view(), name="solver-run-list"
    ),
    path(
        "events/<slug:code>/solver-runs/<int:run_id>/",
        rostering_api.SolverRunDetailView.as_view(),
        name="solver-run-detail",
    ),
    path(
        "events/<slug:code>/solver-runs/<int:run_id>/diff",
        rostering_api.SolverRunDiffView.as_view(),
        name="solver-run-diff",
    ),
    path(
        "events/<slug:code>/solver-runs/<int:run_id>/apply",
        rostering_api.SolverRunApplyView.as_view(),
        name="solver-run-apply",
    ),
    path(
        "events/<slug:code>/solver-runs/<int:run_id>/cancel",
        rostering_api.SolverRunCancelView.as_view(),
        name="solver-run-cancel",
    ),
    path("events/<slug:code>/incidents/", operations_api.IncidentListView.as_view(), name="incident-list"),
    path(
        "events/<slug:code>/incidents/<int:incident_id>/",
        operations_api.IncidentDetailView.as_view(),
        name="incident-detail",
    ),
    path(
        "events/<slug:code>/incidents/<int:incident_id>/actions/",
        operations_api.IncidentActionView.as_view(),
        name="incident-action",
    ),
    path(
        "events/<slug:code>/incidents/<int:incident_id>/responders/",
        operations_api.DispatchView.as_view(),
        name="incident-dispatch",
    ),
    path(
        "events/<slug:code>/incidents/<int:incident_id>/suggestions/",
        operations_api.SuggestionView.as_view(),
        name="incident-suggestions",
    ),
    path(
        "events/<slug:code>/responders/<int:responder_id>/",
        operations_api.ResponderView.as_view(),
        name="responder-detail",
    ),
    path(
        "events/<slug:code>/board/updates/", operations_api.BoardUpdatesView.as_view(), name="board-updates"
    ),
    path("events/<slug:code>/iaps/", reports_api.IapListView.as_view(), name="iap-list"),
    path("events/<slug:code>/iaps/<int:iap_id>/", reports_api.IapDetailView.as_view(), name="iap-detail"),
    path(
        "events/<slug:code>/iaps/<int:iap_id>/versions/<int:number>/",
        reports_api.IapVersionDetailView.as_view(),
        name="iap-version-detail",
    ),
    path("events/<slug:code>/sitreps/", reports_api.SitRepListView.as_view(), name="sitrep-list"),
    path(
        "events/<slug:code>/sitreps/<int:sitrep_id>/",
        reports_api.SitRepDetailView.as_view(),
        name="sitrep-detail",
    ),
    path("events/<slug:code>/alerts/", reports_api.AlertListView.as_view(), name="alert-list"),
    path(
        "events/<slug:code>/alerts/<int:alert_id>/",
        reports_api.AlertDetailView.as_view(),
        name="alert-detail",
    ),
    path("events/<slug:code>/export/geojson", interop_api.GeoJSONExportView.as_view(), name="export-geojson"),
    path(
        "events/<slug:code>/export/roster.xlsx", interop_api.RosterExportView.as_view(), name="export-roster"
    ),
    path(
        "events/<slug:code>/export/scenario.json",
        interop_api.ScenarioExportView.as_view(),
        name="export-scenario",
    ),
]

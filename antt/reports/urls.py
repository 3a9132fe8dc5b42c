from django.urls import path

from antt.reports import views, views_alerts

app_name = "reports"

urlpatterns = [
    path("events/<slug:code>/reports/", views.home, name="home"),
    path("events/<slug:code>/reports/periods/", views.periods, name="periods"),
    path("events/<slug:code>/reports/channels/", views.channels, name="channels"),
    path("events/<slug:code>/reports/channels/<int:channel_id>/", views.channel_edit, name="channel-edit"),
    path("events/<slug:code>/reports/iaps/generate/", views.iap_generate, name="iap-generate"),
    path("events/<slug:code>/reports/iaps/<int:iap_id>/", views.iap_detail, name="iap"),
    path(
        "events/<slug:code>/reports/iaps/<int:iap_id>/v<int:number>.pdf", views.iap_pdf_view, name="iap-pdf"
    ),
    path(
        "events/<slug:code>/reports/iaps/<int:iap_id>/v<int:number>/approve/",
        views.iap_approve,
        name="iap-approve",
    ),
    path("events/<slug:code>/reports/sitreps/draft/", views.sitrep_draft, name="sitrep-draft"),
    path("events/<slug:code>/reports/sitreps/<int:sitrep_id>/", views.sitrep_detail, name="sitrep"),
    path(
        "events/<slug:code>/reports/sitreps/<int:sitrep_id>/approve/",
        views.sitrep_approve,
        name="sitrep-approve",
    ),
    path(
        "events/<slug:code>/reports/sitreps/<int:sitrep_id>/report.pdf",
        views.sitrep_export,
        {"fmt": "pdf"},
        name="sitrep-pdf",
    ),
    path(
        "events/<slug:code>/reports/sitreps/<int:sitrep_id>/edxl-sitrep.xml",
        views.sitrep_export,
        {"fmt": "xml"},
        name="sitrep-xml",
    ),
    path(
        "events/<slug:code>/reports/rosters/unit/<int:subject_id>/",
        views.roster,
        {"kind": "unit"},
        name="roster-unit",
    ),
    path(
        "events/<slug:code>/reports/rosters/post/<int:subject_id>/",
        views.roster,
        {"kind": "post"},
        name="roster-post",
    ),
    path("events/<slug:code>/reports/alerts/", views_alerts.alerts, name="alerts"),
    path("events/<slug:code>/reports/alerts/<int:alert_id>/", views_alerts.alert_detail, name="alert"),
    path(
        "events/<slug:code>/reports/alerts/<int:alert_id>/approve/",
        views_alerts.alert_step,
        {"step": "approve"},
        name="alert-approve",
    ),
    path(
        "events/<slug:code>/reports/alerts/<int:alert_id>/publish/",
        views_alerts.alert_step,
        {"step": "publish"},
        name="alert-publish",
    ),
    path("events/<slug:code>/reports/calendar/", views_alerts.feeds, name="feeds"),
    path(
        "events/<slug:code>/reports/calendar/<int:feed_id>/revoke/",
        views_alerts.feed_revoke,
        name="feed-revoke",
    ),
    # Public: no sign-in. Only published alerts; an iCal feed only behind its unrevoked secret.
    path("public/<slug:event_code>/alerts.atom", views_alerts.public_alerts, name="public-alerts"),
    path(
        "public/<slug:event_code>/alerts/<int:alert_id>.xml", views_alerts.public_alert, name="public-alert"
    ),
    path("ical/<str:secret>.ics", views_alerts.ical, name="ical"),
]

"""``/api/v1/``: every app adds its endpoints here."""

from django.urls import path

from antt.accounts import api as accounts_api
from antt.audit import api as audit_api
from antt.events import api as events_api

urlpatterns = [
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
]

"""The event's audit trail as an API resource: the audit app records and verifies, this page of the event reads."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from antt.audit import queries
from antt.audit.models import AuditEntry
from antt.core.pagination import PagedListMixin
from antt.events.queries import get_event_for


class AuditEntrySerializer(serializers.ModelSerializer[AuditEntry]):
    class Meta:
        model = AuditEntry
        fields = [
            "seq",
            "created_at",
            "actor_name",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
            "ip",
            "request_id",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields


class AuditListView(PagedListMixin, APIView):
    @extend_schema(responses=AuditEntrySerializer(many=True), summary="Audit trail of an event, newest first")
    def get(self, request: Request, code: str) -> Response:
        event = get_event_for(request.user, code, action="audit.view")
        entries = queries.entries_for(request.user, event)
        return self.paged(request, entries, lambda page: AuditEntrySerializer(page, many=True).data)

"""REST reads of the briefing documents: IAPs and their versions, situation reports, public alerts.

The same queries as the pages: a report above the reader's clearance is not found; an IAP version not yet
approved is seen only by those who prepare or approve IAPs (it is not distributed). The documents
themselves (PDF, EDXL-SitRep XML, CAP XML) stay at the pages' addresses, given here as links.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from antt.core.pagination import PagedListMixin
from antt.events import queries as event_queries
from antt.reports import queries
from antt.reports.models import Alert, Iap, IapVersion, SitRep

ACTION = "reports.view"

# --- output ----------------------------------------------------------------------------------------------


class PeriodRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name_vi = serializers.CharField()
    name_en = serializers.CharField()


class IapVersionSerializer(serializers.ModelSerializer[IapVersion]):
    status = serializers.CharField(help_text="queued, building, built, failed or approved")
    requested_by = serializers.CharField(source="requested_by.get_username", read_only=True)
    approved_by = serializers.CharField(source="approved_by.get_username", read_only=True, allow_null=True)
    pdf = serializers.SerializerMethodField(help_text="The PDF's address (vi; add ?lang=en), when built.")

    class Meta:
        model = IapVersion
        fields = [
            "number",
            "status",
            "progress",
            "step",
            "language",
            "content_hash",
            "pdf_size",
            "pdf_final",
            "requested_by",
            "requested_at",
            "built_at",
            "approved_by",
            "approved_at",
            "pdf",
        ]
        read_only_fields = fields

    def get_pdf(self, version: IapVersion) -> str | None:
        if version.status not in (IapVersion.Status.BUILT, IapVersion.Status.APPROVED):
            return None
        iap = self.context["iap"]
        return reverse("reports:iap-pdf", args=[iap.event.code, iap.pk, version.number])


class IapVersionDetailSerializer(IapVersionSerializer):
    content = serializers.JSONField(
        help_text="The snapshot of the plan the PDF was made from (ICS 202-206 sections, map)."
    )

    class Meta(IapVersionSerializer.Meta):
        fields = [*IapVersionSerializer.Meta.fields, "content"]
        read_only_fields = fields


class IapSerializer(serializers.ModelSerializer[Iap]):
    period = PeriodRefSerializer()
    latest_version = serializers.SerializerMethodField(help_text="The newest version's number.")
    approved_version = serializers.SerializerMethodField(help_text="The approved version's number.")

    class Meta:
        model = Iap
        fields = [
            "id",
            "period",
            "starts_at",
            "ends_at",
            "classification",
            "latest_version",
            "approved_version",
        ]
        read_only_fields = fields

    def get_latest_version(self, iap: Iap) -> int | None:
        return iap.latest_version.number if iap.latest_version_id and iap.latest_version else None

    def get_approved_version(self, iap: Iap) -> int | None:
        return iap.approved_version.number if iap.approved_version_id and iap.approved_version else None


class IapDetailSerializer(IapSerializer):
    versions = serializers.SerializerMethodField(help_text="The versions the reader may see, newest first.")

    class Meta(IapSerializer.Meta):
        fields = [*IapSerializer.Meta.fields, "versions"]
        read_only_fields = fields

    @extend_schema_field(IapVersionSerializer(many=True))
    def get_versions(self, iap: Iap) -> Any:
        versions = queries.visible_versions(self.context["user"], iap)
        return IapVersionSerializer(versions, many=True, context={"iap": iap}).data


class SitRepSerializer(serializers.ModelSerializer[SitRep]):
    status = serializers.CharField(help_text="draft or approved")
    author = serializers.CharField(source="author.get_username", read_only=True)
    approved_by = serializers.CharField(source="approved_by.get_username", read_only=True, allow_null=True)

    class Meta:
        model = SitRep
        fields = ["id", "day", "number", "status", "classification", "author", "approved_by", "approved_at"]
        read_only_fields = fields


class SitRepDetailSerializer(SitRepSerializer):
    sections = serializers.JSONField(
        help_text="The generated sections (ICS 209-like). A live section with no data yet has "
        '"available": false.'
    )
    pdf = serializers.SerializerMethodField()
    xml = serializers.SerializerMethodField(help_text="The EDXL-SitRep 1.0 XML's address.")

    class Meta(SitRepSerializer.Meta):
        fields = [
            *SitRepSerializer.Meta.fields,
            "summary_vi",
            "summary_en",
            "notes_vi",
            "notes_en",
            "content_hash",
            "sections",
            "pdf",
            "xml",
        ]
        read_only_fields = fields

    def get_pdf(self, report: SitRep) -> str:
        return reverse("reports:sitrep-pdf", args=[report.event.code, report.pk])

    def get_xml(self, report: SitRep) -> str:
        return reverse("reports:sitrep-xml", args=[report.event.code, report.pk])


class AlertSerializer(serializers.ModelSerializer[Alert]):
    status = serializers.CharField(help_text="draft, approved or published")
    references = serializers.CharField(source="references.identifier", read_only=True, allow_null=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "identifier",
            "msg_type",
            "status",
            "references",
            "exercise",
            "category",
            "urgency",
            "severity",
            "certainty",
            "headline_vi",
            "headline_en",
            "sent",
        ]
        read_only_fields = fields


class AlertDetailSerializer(AlertSerializer):
    cap = serializers.SerializerMethodField(help_text="The published CAP 1.2 message's public address.")

    class Meta(AlertSerializer.Meta):
        fields = [
            *AlertSerializer.Meta.fields,
            "event_vi",
            "event_en",
            "description_vi",
            "description_en",
            "instruction_vi",
            "instruction_en",
            "area_vi",
            "area_en",
            "area",
            "onset",
            "expires",
            "approved_at",
            "cap",
        ]
        read_only_fields = fields

    def get_cap(self, alert: Alert) -> str | None:
        if alert.status != Alert.Status.PUBLISHED:
            return None
        return reverse("reports:public-alert", args=[alert.event.code, alert.pk])


# --- views -----------------------------------------------------------------------------------------------


def _event(request: Request, code: str) -> Any:
    return event_queries.get_event_for(request.user, code, action=ACTION)


class IapListView(PagedListMixin, APIView):
    @extend_schema(
        responses=IapSerializer(many=True),
        summary="Incident Action Plans of an event (those the reader's clearance reaches)",
    )
    def get(self, request: Request, code: str) -> Response:
        event = _event(request, code)
        return self.paged(
            request, queries.iaps_for(request.user, event), lambda page: IapSerializer(page, many=True).data
        )


class IapDetailView(APIView):
    @extend_schema(responses=IapDetailSerializer, summary="One IAP and the versions the reader may see")
    def get(self, request: Request, code: str, iap_id: int) -> Response:
        iap = queries.get_iap_for(request.user, _event(request, code), iap_id)
        return Response(IapDetailSerializer(iap, context={"user": request.user}).data)


class IapVersionDetailView(APIView):
    @extend_schema(
        responses=IapVersionDetailSerializer,
        summary="One IAP version with its content (a version not approved: only for those who prepare IAPs)",
    )
    def get(self, request: Request, code: str, iap_id: int, number: int) -> Response:
        iap = queries.get_iap_for(request.user, _event(request, code), iap_id)
        version = queries.get_version_for(request.user, iap, number)
        return Response(IapVersionDetailSerializer(version, context={"iap": iap}).data)


class SitRepListView(PagedListMixin, APIView):
    @extend_schema(
        responses=SitRepSerializer(many=True),
        summary="Daily situation reports of an event (those the reader's clearance reaches)",
    )
    def get(self, request: Request, code: str) -> Response:
        event = _event(request, code)
        reports = queries.sitreps_for(request.user, event).select_related("author", "approved_by")
        return self.paged(request, reports, lambda page: SitRepSerializer(page, many=True).data)


class SitRepDetailView(APIView):
    @extend_schema(responses=SitRepDetailSerializer, summary="One situation report with its sections")
    def get(self, request: Request, code: str, sitrep_id: int) -> Response:
        report = queries.get_sitrep_for(request.user, _event(request, code), sitrep_id)
        return Response(SitRepDetailSerializer(report).data)


class AlertListView(PagedListMixin, APIView):
    @extend_schema(
        responses=AlertSerializer(many=True), summary="Public alerts (CAP 1.2) of an event, any status"
    )
    def get(self, request: Request, code: str) -> Response:
        event = _event(request, code)
        return self.paged(
            request,
            queries.alerts_for(request.user, event),
            lambda page: AlertSerializer(page, many=True).data,
        )


class AlertDetailView(APIView):
    @extend_schema(responses=AlertDetailSerializer, summary="One public alert, both languages")
    def get(self, request: Request, code: str, alert_id: int) -> Response:
        alert = queries.get_alert_for(request.user, _event(request, code), alert_id)
        return Response(AlertDetailSerializer(alert).data)

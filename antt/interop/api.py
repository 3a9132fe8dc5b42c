"""``GET /api/v1/events/{code}/export/geojson | roster.xlsx | scenario.json``: the same services as the pages."""

from __future__ import annotations

import json

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from antt.events import queries as event_queries
from antt.interop import exports, scenario, scenario_export
from antt.interop.views import XLSX, download


class GeoJSONExportView(APIView):
    @extend_schema(
        responses={(200, "application/geo+json"): OpenApiTypes.OBJECT},
        summary="Sites and posts as a GeoJSON FeatureCollection (RFC 7946)",
    )
    def get(self, request: Request, code: str) -> HttpResponse:
        event = event_queries.get_event_for(request.user, code)
        data = exports.export_geojson(actor=request.user, event=event)
        return download(
            json.dumps(data, ensure_ascii=False),
            filename=f"{event.code}-sites-posts.geojson",
            content_type="application/geo+json",
        )


class RosterExportView(APIView):
    @extend_schema(
        responses={(200, XLSX): OpenApiTypes.BINARY},
        summary="The roster as XLSX (one row per assignment; per-officer totals)",
    )
    def get(self, request: Request, code: str) -> HttpResponse:
        event = event_queries.get_event_for(request.user, code)
        content = exports.export_roster(actor=request.user, event=event)
        return download(content, filename=f"{event.code}-roster.xlsx", content_type=XLSX)


class ScenarioExportView(APIView):
    @extend_schema(
        responses={(200, "application/json"): OpenApiTypes.OBJECT},
        summary="The whole plan as one scenario file (docs/scenario.md)",
    )
    def get(self, request: Request, code: str) -> HttpResponse:
        event = event_queries.get_event_for(request.user, code)
        data = scenario_export.export_scenario(actor=request.user, event=event)
        return download(
            scenario.dumps(data), filename=f"{event.code}-scenario.json", content_type="application/json"
        )

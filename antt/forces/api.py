"""REST endpoints for units, skills and officers: the same queries and services as the pages."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from antt.core.permissions import Clearance
from antt.events import queries as event_queries
from antt.forces import queries, services
from antt.forces.models import Officer, OfficerSkill, Skill, Unit
from antt.planning.models import Site


class UnitSerializer(serializers.ModelSerializer[Unit]):
    class Meta:
        model = Unit
        fields = ["id", "code", "name_vi", "name_en", "parent", "commander"]
        read_only_fields = fields


class UnitInputSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=40)
    name_vi = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200)
    parent = serializers.IntegerField(required=False, allow_null=True)  # type: ignore[assignment]
    commander = serializers.IntegerField(required=False, allow_null=True)


class SkillSerializer(serializers.ModelSerializer[Skill]):
    class Meta:
        model = Skill
        fields = ["id", "code", "name_vi", "name_en"]
        read_only_fields = fields


class SkillInputSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=40)
    name_vi = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200)


class OfficerSkillSerializer(serializers.ModelSerializer[OfficerSkill]):
    code = serializers.CharField(source="skill.code", read_only=True)

    class Meta:
        model = OfficerSkill
        fields = ["code", "expires_on"]
        read_only_fields = fields


class OfficerSerializer(serializers.ModelSerializer[Officer]):
    skills = OfficerSkillSerializer(many=True, read_only=True)

    class Meta:
        model = Officer
        fields = [
            "id",
            "code",
            "full_name",
            "rank",
            "unit",
            "call_sign",
            "phone",
            "clearance",
            "home_base",
            "availability",
            "skills",
        ]
        read_only_fields = fields


class SkillHeldSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=40)
    expires_on = serializers.DateField(required=False, allow_null=True)


class OfficerInputSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=40)
    full_name = serializers.CharField(max_length=200)
    rank = serializers.CharField(max_length=60, required=False, allow_blank=True)
    unit = serializers.IntegerField()
    call_sign = serializers.CharField(max_length=40, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    clearance = serializers.ChoiceField(choices=Clearance.choices, required=False)
    home_base = serializers.IntegerField(required=False, allow_null=True)
    availability = serializers.JSONField(required=False, allow_null=True)
    skills = SkillHeldSerializer(many=True, required=False)


def _unit_refs(event: Any, data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    if "parent" in out:
        out["parent"] = queries.lookup(Unit, event, out["parent"], field="parent")
    if "commander" in out:
        out["commander"] = queries.lookup(Officer, event, out["commander"], field="commander")
    return out


def _officer_refs(event: Any, data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    if "unit" in out:
        out["unit"] = queries.lookup(Unit, event, out["unit"], field="unit")
    if "home_base" in out:
        out["home_base"] = queries.lookup(Site, event, out["home_base"], field="home_base")
    if "skills" in out:
        by_code = {skill.code: skill for skill in Skill.objects.filter(event=event)}
        pairs = []
        for held in out["skills"]:
            skill = by_code.get(held["code"])
            if skill is None:
                from django.utils.translation import gettext as _

                from antt.core.errors import Invalid

                raise Invalid(_("Unknown skill: %(code)s") % {"code": held["code"]}, field="skills")
            pairs.append((skill, held.get("expires_on")))
        out["skills"] = pairs
    return out


class UnitListView(APIView):
    @extend_schema(responses=UnitSerializer(many=True), summary="Units of an event")
    def get(self, request: Request, code: str) -> Response:
        event = event_queries.get_event_for(request.user, code)
        units = queries.units_for(request.user, event, search=request.query_params.get("q", ""))
        return Response(UnitSerializer(units, many=True).data)

    @extend_schema(request=UnitInputSerializer, responses={201: UnitSerializer}, summary="Create a unit")
    def post(self, request: Request, code: str) -> Response:
        event = event_queries.get_event_for(request.user, code)
        form = UnitInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        unit = services.create_unit(actor=request.user, event=event, **_unit_refs(event, form.validated_data))
        return Response(UnitSerializer(unit).data, status=status.HTTP_201_CREATED)


class UnitDetailView(APIView):
    @extend_schema(responses=UnitSerializer, summary="One unit")
    def get(self, request: Request, code: str, unit_id: int) -> Response:
        event = event_queries.get_event_for(request.user, code)
        return Response(UnitSerializer(queries.get_unit_for(request.user, event, unit_id)).data)

    @extend_schema(request=UnitInputSerializer, responses=UnitSerializer, summary="Change a unit")
    def patch(self, request: Request, code: str, unit_id: int) -> Response:
        event = event_queries.get_event_for(request.user, code)
        unit = queries.get_unit_for(request.user, event, unit_id)
        form = UnitInputSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        unit = services.update_unit(actor=request.user, unit=unit, **_unit_refs(event, form.validated_data))
        return Response(UnitSerializer(unit).data)

    @extend_schema(request=None, responses={204: None}, summary="Delete a unit")
    def delete(self, request: Request, code: str, unit_id: int) -> Response:
        event = event_queries.get_event_for(request.user, code)
        services.delete_unit(actor=request.user, unit=queries.get_unit_for(request.user, event, unit_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SkillListView(APIView):
    @extend_schema(responses=SkillSerializer(many=True), summary="Skills of an event")
    def get(self, request: Request, code: str) -> Response:
        event = event_queries.get_event_for(request.user, code)
        return Response(SkillSerializer(queries.skills_for(request.user, event), many=True).data)

    @extend_schema(request=SkillInputSerializer, responses={201: SkillSerializer}, summary="Create a skill")
    def post(self, request: Request, code: str) -> Response:
        event = event_queries.get_event_for(request.user, code)
        form = SkillInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        skill = services.create_skill(actor=request.user, event=event, **form.validated_data)
        return Response(SkillSerializer(skill).data, status=status.HTTP_201_CREATED)


class OfficerListView(APIView):
    @extend_schema(responses=OfficerSerializer(many=True), summary="Officers of an event")
    def get(self, request: Request, code: str) -> Response:
        event = event_queries.get_event_for(request.user, code)
        officers = queries.officers_for(request.user, event, search=request.query_params.get("q", ""))
        return Response(OfficerSerializer(officers, many=True).data)

    @extend_schema(
        request=OfficerInputSerializer, responses={201: OfficerSerializer}, summary="Create an officer"
    )
    def post(self, request: Request, code: str) -> Response:
        event = event_queries.get_event_for(request.user, code)
        form = OfficerInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        officer = services.create_officer(
            actor=request.user, event=event, **_officer_refs(event, form.validated_data)
        )
        officer = queries.get_officer_for(request.user, event, officer.pk)
        return Response(OfficerSerializer(officer).data, status=status.HTTP_201_CREATED)


class OfficerDetailView(APIView):
    @extend_schema(responses=OfficerSerializer, summary="One officer")
    def get(self, request: Request, code: str, officer_id: int) -> Response:
        event = event_queries.get_event_for(request.user, code)
        return Response(OfficerSerializer(queries.get_officer_for(request.user, event, officer_id)).data)

    @extend_schema(request=OfficerInputSerializer, responses=OfficerSerializer, summary="Change an officer")
    def patch(self, request: Request, code: str, officer_id: int) -> Response:
        event = event_queries.get_event_for(request.user, code)
        officer = queries.get_officer_for(request.user, event, officer_id)
        form = OfficerInputSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        services.update_officer(
            actor=request.user, officer=officer, **_officer_refs(event, form.validated_data)
        )
        return Response(OfficerSerializer(queries.get_officer_for(request.user, event, officer_id)).data)

    @extend_schema(request=None, responses={204: None}, summary="Delete an officer")
    def delete(self, request: Request, code: str, officer_id: int) -> Response:
        event = event_queries.get_event_for(request.user, code)
        officer = queries.get_officer_for(request.user, event, officer_id)
        services.delete_officer(actor=request.user, officer=officer)
        return Response(status=status.HTTP_204_NO_CONTENT)

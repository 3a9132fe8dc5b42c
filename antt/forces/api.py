"""REST endpoints for units, skills and officers: the same queries and services as the pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request

from antt.core.api import StrictCharField
from antt.core.lookups import lookup_refs
from antt.core.permissions import Clearance
from antt.events.api_base import EventObjectsView, EventObjectView
from antt.forces import queries, services
from antt.forces.models import Officer, OfficerSkill, Skill, Unit

if TYPE_CHECKING:
    from antt.events.models import Event

# An officer's home base is a site of the event; the model names it (the one known upward reference,
# docs/architecture.md), so the API follows the relation instead of importing planning.
_SITE = Officer._meta.get_field("home_base").related_model


class UnitSerializer(serializers.ModelSerializer[Unit]):
    class Meta:
        model = Unit
        fields = ["id", "code", "name_vi", "name_en", "parent", "commander"]
        read_only_fields = fields


class UnitInputSerializer(serializers.Serializer[Any]):
    code = StrictCharField(max_length=40)
    name_vi = StrictCharField(max_length=200)
    name_en = StrictCharField(max_length=200)
    parent = serializers.IntegerField(required=False, allow_null=True)  # type: ignore[assignment]
    commander = serializers.IntegerField(required=False, allow_null=True)


class SkillSerializer(serializers.ModelSerializer[Skill]):
    class Meta:
        model = Skill
        fields = ["id", "code", "name_vi", "name_en"]
        read_only_fields = fields


class SkillInputSerializer(serializers.Serializer[Any]):
    code = StrictCharField(max_length=40)
    name_vi = StrictCharField(max_length=200)
    name_en = StrictCharField(max_length=200)


class OfficerSkillSerializer(serializers.ModelSerializer[OfficerSkill]):
    code = serializers.CharField(source="skill.code", read_only=True)

    class Meta:
        model = OfficerSkill
        fields = ["code", "expires_on"]
        read_only_fields = fields


class OfficerSerializer(serializers.ModelSerializer[Officer]):
    """An officer; ``phone`` only for those who may see contact data (``forces.queries.contact_access``)."""

    skills = OfficerSkillSerializer(many=True, read_only=True)
    phone = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text=(
            "Contact phone. Null unless your role may see contact data: commanders, planners and "
            "dispatchers see every officer's; a unit commander sees the officers of the units they "
            "command; every officer sees their own."
        ),
    )

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

    def to_representation(self, instance: Officer) -> dict[str, Any]:
        data = super().to_representation(instance)
        contact = self.context.get("contact")
        if contact is None or not contact.allows(instance):
            data["phone"] = None
        return data


class SkillHeldSerializer(serializers.Serializer[Any]):
    code = StrictCharField(max_length=40)
    expires_on = serializers.DateField(required=False, allow_null=True)


class OfficerInputSerializer(serializers.Serializer[Any]):
    code = StrictCharField(max_length=40)
    full_name = StrictCharField(max_length=200)
    rank = StrictCharField(max_length=60, required=False, allow_blank=True)
    unit = serializers.IntegerField()
    call_sign = StrictCharField(max_length=40, required=False, allow_blank=True)
    phone = StrictCharField(max_length=40, required=False, allow_blank=True)
    clearance = serializers.ChoiceField(choices=Clearance.choices, required=False)
    home_base = serializers.IntegerField(required=False, allow_null=True)
    availability = serializers.JSONField(required=False, allow_null=True)
    skills = SkillHeldSerializer(many=True, required=False)


def _unit_refs(event: Event, data: dict[str, Any]) -> dict[str, Any]:
    return lookup_refs(event, data, {"parent": Unit, "commander": Officer})


def _officer_refs(event: Event, data: dict[str, Any]) -> dict[str, Any]:
    out = lookup_refs(event, data, {"unit": Unit, "home_base": _SITE})
    if "skills" in out:
        held = out["skills"]
        skills = queries.skills_by_code(event, [h["code"] for h in held], field="skills")
        out["skills"] = [(skill, h.get("expires_on")) for skill, h in zip(skills, held, strict=True)]
    return out


@extend_schema_view(
    get=extend_schema(responses=UnitSerializer(many=True), summary="Units of an event"),
    post=extend_schema(request=UnitInputSerializer, responses={201: UnitSerializer}, summary="Create a unit"),
)
class UnitListView(EventObjectsView):
    write_action = "forces.change"
    output, input = UnitSerializer, UnitInputSerializer

    def objects(self, request: Request, event: Event) -> Any:
        return queries.units_for(request.user, event, search=request.query_params.get("q", ""))

    def create(self, request: Request, event: Event, data: dict[str, Any]) -> Any:
        return services.create_unit(actor=request.user, event=event, **_unit_refs(event, data))


@extend_schema_view(
    get=extend_schema(responses=UnitSerializer, summary="One unit"),
    patch=extend_schema(request=UnitInputSerializer, responses=UnitSerializer, summary="Change a unit"),
    delete=extend_schema(request=None, responses={204: None}, summary="Delete a unit"),
)
class UnitDetailView(EventObjectView):
    write_action = "forces.change"
    output, input = UnitSerializer, UnitInputSerializer

    def fetch(self, request: Request, event: Event, pk: Any) -> Any:
        return queries.get_unit_for(request.user, event, pk)

    def update(self, request: Request, event: Event, obj: Any, data: dict[str, Any]) -> Any:
        return services.update_unit(actor=request.user, unit=obj, **_unit_refs(event, data))

    def remove(self, request: Request, obj: Any) -> None:
        services.delete_unit(actor=request.user, unit=obj)


@extend_schema_view(
    get=extend_schema(responses=SkillSerializer(many=True), summary="Skills of an event"),
    post=extend_schema(
        request=SkillInputSerializer, responses={201: SkillSerializer}, summary="Create a skill"
    ),
)
class SkillListView(EventObjectsView):
    write_action = "forces.change"
    output, input = SkillSerializer, SkillInputSerializer

    def objects(self, request: Request, event: Event) -> Any:
        return queries.skills_for(request.user, event)

    def create(self, request: Request, event: Event, data: dict[str, Any]) -> Any:
        return services.create_skill(actor=request.user, event=event, **data)


@extend_schema_view(
    get=extend_schema(responses=OfficerSerializer(many=True), summary="Officers of an event"),
    post=extend_schema(
        request=OfficerInputSerializer, responses={201: OfficerSerializer}, summary="Create an officer"
    ),
)
class OfficerListView(EventObjectsView):
    write_action = "forces.change"
    output, input = OfficerSerializer, OfficerInputSerializer

    def context(self, request: Request, event: Event) -> dict[str, Any]:
        return {"request": request, "contact": queries.contact_access(request.user, event)}

    def listed(self, request: Request, event: Event, page: list[Any], context: dict[str, Any]) -> None:
        """A page that shows phone numbers is a bulk read of personal data: one audit entry per request."""
        contact = context["contact"]
        shown = sum(1 for officer in page if officer.phone and contact.allows(officer))
        if shown:
            services.record_contact_read(
                actor=request.user,
                event=event,
                officers=shown,
                search=request.query_params.get("q", ""),
            )

    def objects(self, request: Request, event: Event) -> Any:
        return queries.officers_for(request.user, event, search=request.query_params.get("q", ""))

    def create(self, request: Request, event: Event, data: dict[str, Any]) -> Any:
        officer = services.create_officer(actor=request.user, event=event, **_officer_refs(event, data))
        return queries.get_officer_for(request.user, event, officer.pk)  # with its skills, for the answer


@extend_schema_view(
    get=extend_schema(responses=OfficerSerializer, summary="One officer"),
    patch=extend_schema(
        request=OfficerInputSerializer, responses=OfficerSerializer, summary="Change an officer"
    ),
    delete=extend_schema(request=None, responses={204: None}, summary="Delete an officer"),
)
class OfficerDetailView(EventObjectView):
    write_action = "forces.change"
    output, input = OfficerSerializer, OfficerInputSerializer

    def context(self, request: Request, event: Event) -> dict[str, Any]:
        return {"request": request, "contact": queries.contact_access(request.user, event)}

    def fetch(self, request: Request, event: Event, pk: Any) -> Any:
        return queries.get_officer_for(request.user, event, pk)

    def update(self, request: Request, event: Event, obj: Any, data: dict[str, Any]) -> Any:
        services.update_officer(actor=request.user, officer=obj, **_officer_refs(event, data))
        return self.fetch(request, event, obj.pk)

    def remove(self, request: Request, obj: Any) -> None:
        services.delete_officer(actor=request.user, officer=obj)

"""The planning API's serializers: what each endpoint answers (``…Serializer``) and takes (``…InputSerializer``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework import serializers

from antt.core.api import IdField, StrictCharField, StrictDateTimeField
from antt.core.permissions import Clearance
from antt.planning.models import Assignment, Post, ProgrammeItem, Requirement, RequirementRule, Site

if TYPE_CHECKING:
    pass


def choice_field(choices: Any, **kwargs: Any) -> StrictCharField:
    """A ``kind``/``status`` as a plain string (the model validates the choice). Several models have a
    ``kind`` or a ``status`` with different choices; as schema enums their component names would collide
    (drf-spectacular W001) until ``ENUM_NAME_OVERRIDES`` in the settings names them."""
    values = ", ".join(value for value, _label in choices)
    if not kwargs.get("read_only"):
        kwargs.setdefault("max_length", 20)
    return StrictCharField(help_text=f"One of: {values}", **kwargs)


# --- serializers -----------------------------------------------------------------------------------------


class SiteSerializer(serializers.ModelSerializer[Site]):
    kind = choice_field(Site.Kind.choices, read_only=True)

    class Meta:
        model = Site
        fields = [
            "id",
            "code",
            "name_vi",
            "name_en",
            "kind",
            "geometry",
            "address",
            "risk_level",
            "parent",
            "opening_windows",
        ]
        read_only_fields = fields


class SiteInputSerializer(serializers.Serializer[Any]):
    code = StrictCharField(max_length=40)
    name_vi = StrictCharField(max_length=200)
    name_en = StrictCharField(max_length=200)
    kind = choice_field(Site.Kind.choices, required=False)
    geometry = serializers.JSONField(required=False, allow_null=True)
    address = StrictCharField(max_length=300, required=False, allow_blank=True)
    risk_level = serializers.ChoiceField(choices=Site.Risk.choices, required=False)
    parent = serializers.IntegerField(required=False, allow_null=True)  # type: ignore[assignment]
    opening_windows = serializers.JSONField(required=False, allow_null=True)


class PostSerializer(serializers.ModelSerializer[Post]):
    kind = choice_field(Post.Kind.choices, read_only=True)
    default_skill = serializers.CharField(source="default_skill.code", read_only=True, allow_null=True)

    class Meta:
        model = Post
        fields = [
            "id",
            "code",
            "name_vi",
            "name_en",
            "site",
            "kind",
            "geometry",
            "orders",
            "check_in_minutes",
            "default_skill",
        ]
        read_only_fields = fields


class PostInputSerializer(serializers.Serializer[Any]):
    code = StrictCharField(max_length=40)
    name_vi = StrictCharField(max_length=200)
    name_en = StrictCharField(max_length=200)
    site = serializers.IntegerField()
    kind = choice_field(Post.Kind.choices, required=False)
    geometry = serializers.JSONField(required=False, allow_null=True)
    orders = StrictCharField(required=False, allow_blank=True)
    check_in_minutes = serializers.IntegerField(min_value=1, max_value=1440, required=False)
    default_skill = StrictCharField(max_length=40, required=False, allow_null=True)


class RuleSerializer(serializers.ModelSerializer[RequirementRule]):
    post_kind = choice_field(Post.Kind.choices, read_only=True)
    skill = serializers.CharField(source="skill.code", read_only=True)

    class Meta:
        model = RequirementRule
        fields = ["id", "post_kind", "skill", "headcount", "min_clearance", "lead_minutes", "lag_minutes"]
        read_only_fields = fields


class RuleInputSerializer(serializers.Serializer[Any]):
    post_kind = choice_field(Post.Kind.choices)
    skill = StrictCharField(max_length=40)
    headcount = serializers.IntegerField(min_value=1, max_value=1000, required=False)
    min_clearance = serializers.ChoiceField(choices=Clearance.choices, required=False)
    lead_minutes = serializers.IntegerField(min_value=0, max_value=7 * 1440, required=False)
    lag_minutes = serializers.IntegerField(min_value=0, max_value=7 * 1440, required=False)


class ProgrammeItemSerializer(serializers.ModelSerializer[ProgrammeItem]):
    kind = choice_field(ProgrammeItem.Kind.choices, read_only=True)
    sites = serializers.SerializerMethodField()
    rules = RuleSerializer(many=True, read_only=True)

    class Meta:
        model = ProgrammeItem
        fields = [
            "id",
            "code",
            "name_vi",
            "name_en",
            "kind",
            "starts_at",
            "ends_at",
            "protection_level",
            "delegations",
            "sites",
            "rules",
        ]
        read_only_fields = fields

    def get_sites(self, item: ProgrammeItem) -> list[int]:
        return [stop.site_id for stop in item.stops.all()]


class ProgrammeItemInputSerializer(serializers.Serializer[Any]):
    code = StrictCharField(max_length=40)
    name_vi = StrictCharField(max_length=200)
    name_en = StrictCharField(max_length=200)
    kind = choice_field(ProgrammeItem.Kind.choices, required=False)
    starts_at = StrictDateTimeField()
    ends_at = StrictDateTimeField()
    protection_level = serializers.ChoiceField(choices=Clearance.choices, required=False)
    delegations = serializers.ListField(child=StrictCharField(max_length=200), required=False)
    sites = serializers.ListField(child=serializers.IntegerField(), required=False)


class RequirementSerializer(serializers.ModelSerializer[Requirement]):
    skill = serializers.CharField(source="skill.code", read_only=True)

    class Meta:
        model = Requirement
        fields = [
            "id",
            "post",
            "starts_at",
            "ends_at",
            "skill",
            "headcount",
            "min_clearance",
            "rule",
            "programme_item",
        ]
        read_only_fields = fields


class RequirementInputSerializer(serializers.Serializer[Any]):
    post = serializers.IntegerField()
    starts_at = StrictDateTimeField()
    ends_at = StrictDateTimeField()
    skill = StrictCharField(max_length=40)
    headcount = serializers.IntegerField(min_value=1, max_value=1000, required=False)
    min_clearance = serializers.ChoiceField(choices=Clearance.choices, required=False)


class AssignmentSerializer(serializers.ModelSerializer[Assignment]):
    status = choice_field(Assignment.Status.choices, read_only=True)
    skill = serializers.CharField(source="skill.code", read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "officer", "post", "starts_at", "ends_at", "skill", "status", "requirement"]
        read_only_fields = fields


class AssignmentInputSerializer(serializers.Serializer[Any]):
    officer = serializers.IntegerField()
    post = serializers.IntegerField()
    starts_at = StrictDateTimeField()
    ends_at = StrictDateTimeField()
    skill = StrictCharField(max_length=40, required=False)
    requirement = serializers.IntegerField(required=False, allow_null=True)


class PublishInputSerializer(serializers.Serializer[Any]):
    ids = serializers.ListField(child=IdField(), required=False)


class FindingSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    severity = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    role = serializers.CharField(allow_null=True)
    objects = serializers.DictField(child=serializers.ListField(child=serializers.IntegerField()))
    numbers = serializers.DictField(child=serializers.IntegerField())
    explanation = serializers.CharField()


class CoverageSerializer(serializers.Serializer[Any]):
    total = serializers.IntegerField(help_text="every finding of the plan")
    matched = serializers.IntegerField(help_text="the findings that match kind and severity")
    counts = serializers.DictField(child=serializers.IntegerField())
    findings = FindingSerializer(many=True)


# --- references in input ---------------------------------------------------------------------------------

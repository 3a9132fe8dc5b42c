"""The shape of the plan set-up pages' input (sites, posts, programme items, rules, requirements, rest rules,
publishing). The services enforce the rules; these only check types, presence and that a referenced object
is one of the event's (the choices are the event's own rows).

Datetimes are entered in the event's local time: validate inside ``timezone.override(event.tz)``.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from antt.core.geo import GEOMETRY_TYPES
from antt.core.permissions import Clearance
from antt.forces.models import Skill, Unit
from antt.planning.forms import WindowForm
from antt.planning.models import Post, ProgrammeItem, Site

CODE_HELP = _("Letters, digits, dot, dash or underscore; unique in the event.")


class GeometryField(forms.CharField):
    """GeoJSON text (drawn on the map, or typed): a dict, or None when empty. The model validates the
    shape (``core.geo.validate_geometry``); this refuses text that is not JSON at all."""

    widget = forms.Textarea(attrs={"rows": 3, "class": "geometry", "spellcheck": "false"})

    def __init__(self, *, kinds: tuple[str, ...] = GEOMETRY_TYPES, **kwargs: Any) -> None:
        self.kinds = kinds
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 200_000)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return json.dumps(value, separators=(",", ":"))
        return value

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if not text:
            return None
        try:
            data = json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("The geometry is not valid GeoJSON text.")) from None
        if isinstance(data, dict) and data.get("type") == "Feature":
            data = data.get("geometry")
        if not isinstance(data, dict) or data.get("type") not in self.kinds:
            raise forms.ValidationError(
                _("Draw one of: %(kinds)s.") % {"kinds": ", ".join(str(k) for k in self.kinds)}
            )
        return data


class _CodeNames(forms.Form):
    code = forms.CharField(label=pgettext_lazy("object code", "Code"), max_length=40, help_text=CODE_HELP)
    name_vi = forms.CharField(label=_("Name (Vietnamese)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("name_vi") and not data.get("name_en"):
            data["name_en"] = data["name_vi"]  # English optional: the Vietnamese name stands in
        return data


class SiteForm(_CodeNames):
    kind = forms.ChoiceField(label=_("Kind"), choices=Site.Kind.choices, initial=Site.Kind.VENUE)
    risk_level = forms.TypedChoiceField(
        label=_("Risk level"), choices=Site.Risk.choices, coerce=int, initial=Site.Risk.MEDIUM
    )
    parent = forms.ModelChoiceField(
        label=_("Part of"), queryset=Site.objects.none(), required=False, empty_label=_("— none —")
    )
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    geometry = GeometryField(
        label=_("Outline or point (GeoJSON)"),
        help_text=_("Draw on the map above; the text follows. Empty: the site has no place on the map."),
    )

    def __init__(self, *args: Any, event: Any, site: Site | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sites = Site.objects.filter(event=event).order_by("code")
        if site is not None:
            sites = sites.exclude(pk=site.pk)
        self.fields["parent"].queryset = sites  # type: ignore[attr-defined]


class PostForm(_CodeNames):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=Post.Kind.choices, initial=Post.Kind.FIXED)
    orders = forms.CharField(
        label=_("Post orders"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=20_000
    )
    check_in_minutes = forms.IntegerField(
        label=_("Check-in interval (minutes)"), min_value=1, max_value=1440, initial=15
    )
    default_skill = forms.ModelChoiceField(
        label=_("Default role/skill"),
        queryset=Skill.objects.none(),
        required=False,
        empty_label=_("— none —"),
    )
    geometry = GeometryField(
        label=_("Position (GeoJSON)"),
        kinds=("Point", "LineString"),
        help_text=_("Click the map to place the post (a point; a patrol may be a line)."),
    )

    def __init__(self, *args: Any, event: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.filter(event=event).order_by("code")  # type: ignore[attr-defined]
        self.fields["default_skill"].queryset = Skill.objects.filter(event=event).order_by("code")  # type: ignore[attr-defined]


class ProgrammeItemForm(WindowForm, _CodeNames):
    kind = forms.ChoiceField(label=_("Kind"), choices=ProgrammeItem.Kind.choices)
    protection_level = forms.TypedChoiceField(
        label=_("Protection level"), choices=Clearance.choices, coerce=int, initial=Clearance.NONE
    )
    sites = forms.ModelMultipleChoiceField(
        label=_("Sites"),
        queryset=Site.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Where it takes place (a movement: every stop). Posts at these sites and their zones get requirements."
        ),
    )

    def __init__(self, *args: Any, event: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].label = _("Starts at")
        self.fields["ends_at"].label = _("Ends at")
        self.fields["sites"].queryset = Site.objects.filter(event=event).order_by("code")  # type: ignore[attr-defined]
        self.order_fields(["code", "name_vi", "name_en", "kind", "starts_at", "ends_at"])


class RuleForm(forms.Form):
    post_kind = forms.ChoiceField(label=_("At posts of kind"), choices=Post.Kind.choices)
    skill = forms.ModelChoiceField(label=_("Role/skill"), queryset=Skill.objects.none())
    headcount = forms.IntegerField(label=_("Headcount per post"), min_value=1, max_value=500, initial=1)
    min_clearance = forms.TypedChoiceField(
        label=_("Minimum clearance"), choices=Clearance.choices, coerce=int, initial=Clearance.NONE
    )
    lead_minutes = forms.IntegerField(
        label=_("Start before the item (minutes)"), min_value=0, max_value=1440, initial=0
    )
    lag_minutes = forms.IntegerField(
        label=_("End after the item (minutes)"), min_value=0, max_value=1440, initial=0
    )

    def __init__(self, *args: Any, event: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["skill"].queryset = Skill.objects.filter(event=event).order_by("code")  # type: ignore[attr-defined]


class RequirementForm(WindowForm):
    post = forms.ModelChoiceField(label=_("Post"), queryset=Post.objects.none())
    skill = forms.ModelChoiceField(label=_("Role/skill"), queryset=Skill.objects.none())
    headcount = forms.IntegerField(label=_("Headcount"), min_value=1, max_value=500, initial=1)
    min_clearance = forms.TypedChoiceField(
        label=_("Minimum clearance"), choices=Clearance.choices, coerce=int, initial=Clearance.NONE
    )

    def __init__(self, *args: Any, event: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        posts = Post.objects.filter(event=event).select_related("site").order_by("code")
        self.fields["post"].queryset = posts  # type: ignore[attr-defined]
        self.fields["skill"].queryset = Skill.objects.filter(event=event).order_by("code")  # type: ignore[attr-defined]
        self.order_fields(["post", "skill", "starts_at", "ends_at"])


class RestRulesForm(forms.Form):
    min_rest_minutes = forms.IntegerField(
        label=_("Minimum rest between duties (minutes)"), min_value=0, max_value=10_080, required=False
    )
    max_duty_minutes_per_24h = forms.IntegerField(
        label=_("Maximum duty per 24 hours (minutes)"), min_value=1, max_value=1440, required=False
    )
    max_consecutive_days = forms.IntegerField(
        label=_("Maximum consecutive duty days"), min_value=1, max_value=366, required=False
    )


class PublishForm(forms.Form):
    """What to publish: everything planned, one local day, or one unit (and the units under it)."""

    SCOPES = (("all", _("Everything planned")), ("day", _("One day")), ("unit", _("One unit")))

    scope = forms.ChoiceField(label=_("Publish"), choices=SCOPES, initial="all", widget=forms.RadioSelect)
    day = forms.TypedChoiceField(label=_("Day"), choices=(), required=False, coerce=str)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)

    def __init__(self, *args: Any, event: Any, days: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["day"].choices = [("", "—")] + [(d.isoformat(), d.isoformat()) for d in days]  # type: ignore[attr-defined]
        self.fields["unit"].queryset = Unit.objects.filter(event=event).order_by("code")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("scope") == "day" and not data.get("day"):
            self.add_error("day", _("Choose the day to publish."))
        if data.get("scope") == "unit" and not data.get("unit"):
            self.add_error("unit", _("Choose the unit to publish."))
        return data

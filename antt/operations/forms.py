"""The shape of the operations room's input; the services enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from antt.operations.models import Incident, IncidentCategory
from antt.operations.models.incidents import Priority

ACTIONS = ("acknowledge", "on_scene", "resolve", "close", "cancel", "note", "merge", "priority")


class IncidentForm(forms.Form):
    """A dispatcher opens an incident (a phone call, the radio)."""

    category = forms.ModelChoiceField(label=_("Category"), queryset=IncidentCategory.objects.none())
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=[("", _("The category's default")), *Priority.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    summary = forms.CharField(label=_("Summary"), max_length=300)
    details = forms.CharField(
        label=_("Details"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )
    post: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Post"), queryset=None, required=False)
    latitude = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90, required=False)
    longitude = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180, required=False)
    delegation = forms.CharField(label=_("Delegation affected (name only)"), max_length=200, required=False)

    def __init__(self, *args: Any, event: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from antt.planning.models import Post

        self.fields["category"].queryset = IncidentCategory.objects.filter(event=event, is_active=True)  # type: ignore[attr-defined]
        self.fields["post"].queryset = Post.objects.filter(event=event).order_by("code")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lat, lon = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lon is None):
            self.add_error("longitude", _("Give both the latitude and the longitude, or neither."))
        return data

    def location(self) -> dict[str, Any] | None:
        lat, lon = self.cleaned_data.get("latitude"), self.cleaned_data.get("longitude")
        return None if lat is None or lon is None else {"type": "Point", "coordinates": [lon, lat]}


class ActForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    version = forms.IntegerField(min_value=1, required=False)
    note = forms.CharField(max_length=2000, required=False)
    into = forms.IntegerField(min_value=1, required=False)
    priority = forms.IntegerField(min_value=1, max_value=4, required=False)


class DispatchForm(forms.Form):
    officer = forms.IntegerField(min_value=1, required=False)
    unit = forms.IntegerField(min_value=1, required=False)
    version = forms.IntegerField(min_value=1, required=False)


class ResponderForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("en_route", "en_route"), ("on_scene", "on_scene"), ("released", "released")]
    )
    version = forms.IntegerField(min_value=1, required=False)


class SettingsForm(forms.Form):
    ack_p1 = forms.IntegerField(label=_("P1: acknowledge within (s)"), min_value=5, max_value=86400)
    ack_p2 = forms.IntegerField(label=_("P2: acknowledge within (s)"), min_value=5, max_value=86400)
    ack_p3 = forms.IntegerField(label=_("P3: acknowledge within (s)"), min_value=5, max_value=86400)
    ack_p4 = forms.IntegerField(label=_("P4: acknowledge within (s)"), min_value=5, max_value=86400)
    scene_p1 = forms.IntegerField(label=_("P1: on scene within (min)"), min_value=1, max_value=1440)
    scene_p2 = forms.IntegerField(label=_("P2: on scene within (min)"), min_value=1, max_value=1440)
    scene_p3 = forms.IntegerField(label=_("P3: on scene within (min)"), min_value=1, max_value=1440)
    scene_p4 = forms.IntegerField(label=_("P4: on scene within (min)"), min_value=1, max_value=1440)
    sos_ack_seconds = forms.IntegerField(label=_("SOS: acknowledge within (s)"), min_value=5, max_value=3600)
    check_in_grace_minutes = forms.IntegerField(label=_("Check-in grace (min)"), min_value=0, max_value=240)
    next_level_seconds = forms.IntegerField(
        label=_("Next level after (s, 0: none)"), min_value=0, max_value=86400
    )
    shift_boundaries = forms.CharField(label=_("Shift boundaries (HH:MM, comma-separated)"), max_length=200)


class ActivityForm(forms.Form):
    unit = forms.IntegerField(min_value=1)
    text = forms.CharField(label=_("Activity"), max_length=500)


STATUS_CHOICES = Incident.Status.choices

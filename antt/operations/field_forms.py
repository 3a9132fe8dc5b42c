"""The shape of the field side's settings pages; ``field_checkins.configure_proof`` enforces the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PostProofForm(forms.Form):
    """What proves presence at one post."""

    needs_position = forms.BooleanField(label=_("Position inside the post"), required=False)
    needs_code = forms.BooleanField(label=_("Rotating code shown at the post"), required=False)
    needs_nfc = forms.BooleanField(label=_("NFC tag at the post"), required=False)
    radius_m = forms.IntegerField(label=_("Radius around the post (m)"), min_value=5, max_value=5000)
    grace_minutes = forms.IntegerField(
        label=_("Grace before and after the start (minutes)"), min_value=0, max_value=240
    )
    away_minutes = forms.IntegerField(label=_("Time allowed away (minutes)"), min_value=1, max_value=1440)

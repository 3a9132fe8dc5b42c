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


class NfcTagForm(forms.Form):
    """An NTAG 424 DNA tag at the post: its UID, and the two keys written to it (or none: made here)."""

    uid = forms.CharField(
        label=_("Tag UID"),
        max_length=32,
        help_text=_("7 bytes in hexadecimal, as the tag writer shows it, e.g. 04:96:5A:2A:4F:6E:80."),
    )
    meta_key = forms.CharField(
        label=_("SDM meta read key"),
        max_length=64,
        required=False,
        help_text=_("32 hexadecimal digits. Leave both keys empty to have ANTT make them."),
    )
    file_key = forms.CharField(label=_("SDM file read key"), max_length=64, required=False)

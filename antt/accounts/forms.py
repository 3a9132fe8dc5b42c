from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OtpForm(forms.Form):
    token = forms.CharField(
        label=pgettext_lazy("authentication", "Code"),  # "Mã xác thực"; an object's code is "Mã"
        max_length=16,
        help_text=_("The 6-digit code from your authenticator app, or one of your 8-digit backup codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class EnrolForm(forms.Form):
    token = forms.CharField(
        label=_("Code from the app"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What the token is for."))
    expires_at = forms.DateTimeField(
        label=_("Expires at"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
